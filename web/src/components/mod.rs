//! Small view components. Each takes plain data and `Callback` props.

mod banner;
pub mod compare;
mod console;
mod controls;
pub(crate) mod event_log;
mod header;
mod help;
mod inspector;
mod share_menu;
pub mod sweep;
mod timeline;
mod tour;
mod tree_view;
mod workloads;

pub use banner::{banner, confirm_switch};
pub use console::{Console, ConsoleProps};
pub use controls::{controls, ControlsProps};
pub use event_log::{EventLog, EventLogProps};
pub use header::{header, HeaderProps};
pub use help::{Help, HelpProps, SHORTCUTS};
pub use inspector::{FileRow, Inspector, InspectorProps};
pub use share_menu::{share_menu, Export};
pub use timeline::{scrubber, timeline, ChartData, Charts, TimelineProps};
pub use tour::{TourPanel, TourPanelProps};
pub use tree_view::{tree_legend, visible_nodes, TreeNode, TreeView, TreeViewProps};
pub use workloads::{Workloads, WorkloadsProps};

use yew::{AttrValue, Callback, Html, MouseEvent};

/// Static markup as raw HTML: the browser builds the same nodes from the
/// text, and the wasm holds text rather than the code that builds them.
pub fn raw(html: &'static str) -> Html {
    Html::from_html_unchecked(AttrValue::Static(html))
}

/// `cb` as a click handler. Every such handler is the same closure type, so
/// the same code in the wasm (a `reform(|_| ())` per call site was code
/// of its own each).
pub fn on_click(cb: &Callback<()>) -> Callback<MouseEvent> {
    cb.reform(|_| ())
}

/// A `class` attribute as yew's `classes!` renders it: the names split at
/// whitespace, each once, in order, joined by a space; no attribute if
/// there is none. A plain string instead of `classes!`'s `IndexSet` keeps
/// that set's code out of the wasm (README "Measurements").
pub fn class_list(names: &[&str]) -> Option<AttrValue> {
    let mut s = String::new();
    for name in names.iter().flat_map(|n| n.split_whitespace()) {
        if !s.split(' ').any(|c| c == name) {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(name);
        }
    }
    (!s.is_empty()).then(|| AttrValue::from(s))
}

#[cfg(test)]
mod tests {
    use yew::html::IntoPropValue;
    use yew::{classes, AttrValue};

    use super::class_list;

    #[test]
    fn class_list_renders_as_classes_does() {
        let cases: [(&[&str], yew::Classes); 5] = [
            (
                &["cg", "", "no-memory", "work-idle"],
                classes!("cg", None::<&str>, "no-memory", "work-idle"),
            ),
            (&["", ""], classes!(None::<&str>, None::<&str>)),
            (
                &["flow", "reclaim", "reclaim"],
                classes!("flow", "reclaim", "reclaim"),
            ),
            (
                &["line", " a  b ", "a"],
                classes!("line", String::from(" a  b "), "a"),
            ),
            (&["value"], classes!("value")),
        ];
        for (names, classes) in cases {
            let want: Option<AttrValue> = classes.into_prop_value();
            assert_eq!(class_list(names), want, "{names:?}");
        }
    }
}

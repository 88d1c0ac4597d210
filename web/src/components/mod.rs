//! Small view components. Each takes plain data and `Callback` props.

mod banner;
mod console;
mod controls;
mod event_log;
mod header;
mod help;
mod inspector;
mod share_menu;
mod timeline;
mod tour;
mod tree_view;
mod workloads;

pub use banner::banner;
pub use console::{Console, ConsoleProps};
pub use controls::{Controls, ControlsProps};
pub use event_log::{EventLog, EventLogProps};
pub use header::{Header, HeaderProps};
pub use help::{Help, HelpProps, SHORTCUTS};
pub use inspector::{FileRow, Inspector, InspectorProps};
pub use share_menu::{share_menu, Export};
pub use timeline::{ChartData, Timeline, TimelineProps};
pub use tour::{TourPanel, TourPanelProps};
pub use tree_view::{visible_nodes, TreeLegend, TreeNode, TreeView, TreeViewProps};
pub use workloads::{Workloads, WorkloadsProps};

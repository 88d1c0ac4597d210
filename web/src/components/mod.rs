//! Small view components. Each takes plain data and `Callback` props.

mod console;
mod header;
mod inspector;
mod tree_view;

pub use console::{Console, ConsoleProps};
pub use header::{Header, HeaderProps};
pub use inspector::{FileRow, Inspector, InspectorProps};
pub use tree_view::{TreeNode, TreeView, TreeViewProps};

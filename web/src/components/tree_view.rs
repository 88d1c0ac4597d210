use yew::prelude::*;

/// One cgroup as the tree shows it (a copy of `memcg::CgroupInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeNode {
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub has_memory: bool,
}

impl From<memcg::CgroupInfo> for TreeNode {
    fn from(cg: memcg::CgroupInfo) -> Self {
        TreeNode {
            path: cg.path,
            name: cg.name,
            depth: cg.depth,
            has_memory: cg.has_memory,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct TreeViewProps {
    /// Pre-order, root first.
    pub nodes: Vec<TreeNode>,
    pub selected: String,
    pub on_select: Callback<String>,
}

#[component]
pub fn TreeView(props: &TreeViewProps) -> Html {
    html! {
        <ul id="cgroup-tree" class="tree" role="tree" aria-label="cgroups">
            { for props.nodes.iter().map(|node| {
                let selected = node.path == props.selected;
                let onclick = {
                    let on_select = props.on_select.clone();
                    let path = node.path.clone();
                    Callback::from(move |_: MouseEvent| on_select.emit(path.clone()))
                };
                // The root is best known by its mount point.
                let label = if node.depth == 0 { node.path.clone() } else { node.name.clone() };
                let title = if node.has_memory {
                    node.path.clone()
                } else {
                    format!("{} (memory controller not enabled)", node.path)
                };
                html! {
                    <li role="treeitem" aria-selected={selected.to_string()} key={node.path.clone()}>
                        <button
                            type="button"
                            class={classes!("node", selected.then_some("selected"), (!node.has_memory).then_some("no-memory"))}
                            style={format!("--depth: {}", node.depth)}
                            data-path={node.path.clone()}
                            {title}
                            {onclick}
                        >
                            { label }
                        </button>
                    </li>
                }
            }) }
        </ul>
    }
}

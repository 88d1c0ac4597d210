//! Messages to the user: a failed inspector write next to its file, and the
//! notice over the page.

/// An inspector write that failed, shown next to its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteError {
    pub path: String,
    pub file: String,
    pub value: String,
    /// As the kernel says it, e.g. `Invalid argument`.
    pub message: String,
}

/// A message over the page: an error (`role=alert`, it stays until
/// dismissed) or a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

impl Notice {
    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            error: true,
            text: text.into(),
        }
    }
    pub fn note(text: impl Into<String>) -> Notice {
        Notice {
            error: false,
            text: text.into(),
        }
    }
}

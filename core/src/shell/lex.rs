//! Lexing: a line into words, operators and redirections, with bash's
//! quoting, `$$`, `$?`, `$NAME` and `${NAME}` expansion and `#` comments.
//!
//! `$?` and variables are expanded when the command runs (after the
//! commands before it on the line, as bash does): the lexer leaves a marker
//! in the word's text for them.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Word(Word),
    /// `;`, `&&`, `||`, `|`, `&`, `<`
    Op(&'static str),
    /// fd, append, target
    Redir(u8, bool, RedirTarget),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirTarget {
    Path(Word),
    Fd(u8),
    Missing,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Contains an unquoted `*` or `?`.
    pub glob: bool,
    /// Contains a variable reference (see [`VAR_SPLIT`]).
    pub(super) vars: bool,
    /// Some quoting (`'`, `"`, `\\`) appeared: the word stays a word even
    /// when it expands to nothing.
    pub(super) quoted: bool,
    /// `NAME=...` with NAME unquoted and valid: the length of NAME (an
    /// assignment when it comes before the command name).
    pub(super) assign: Option<usize>,
}

pub(super) struct Lexer<'a> {
    chars: core::iter::Peekable<core::str::Chars<'a>>,
    /// What `$$` expands to.
    pid: u32,
}

/// Stands for `$?` in a lexed word until the command runs (a private-use
/// code point, so typed text cannot collide with it in practice).
pub const LAST_STATUS: char = '\u{F8FF}';
/// An unquoted `$NAME` in a lexed word is `VAR_SPLIT NAME VAR_END`, a
/// quoted one `VAR_QUOTED NAME VAR_END` (private-use code points, as
/// [`LAST_STATUS`]): the unquoted value is split into fields on blanks.
pub(super) const VAR_SPLIT: char = '\u{F8FE}';
pub(super) const VAR_QUOTED: char = '\u{F8FD}';
pub(super) const VAR_END: char = '\u{F8FC}';

/// A shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(super) fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

impl Lexer<'_> {
    pub(super) fn new(line: &str, pid: u32) -> Lexer<'_> {
        Lexer {
            chars: line.chars().peekable(),
            pid,
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.chars.peek(), Some(' ' | '\t' | '\r' | '\n')) {
            self.chars.next();
        }
    }

    /// After a `$`: `$$` now, `$?` and variables as markers. A bad
    /// `${...}` is bash's `bad substitution` error.
    fn expand_dollar(&mut self, w: &mut Word, quoted: bool) -> Result<(), String> {
        let open = if quoted { VAR_QUOTED } else { VAR_SPLIT };
        match self.chars.peek() {
            Some('$') => {
                self.chars.next();
                let _ = write!(w.text, "{}", self.pid);
            }
            Some('?') => {
                // Expanded when the command runs, after the ones before it.
                self.chars.next();
                w.text.push(LAST_STATUS);
            }
            Some('{') => {
                self.chars.next();
                let mut name = String::new();
                let mut closed = false;
                for c in self.chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    name.push(c);
                }
                if !closed {
                    return Err(unexpected_eof('}'));
                }
                if !is_name(&name) {
                    return Err(format!("bash: ${{{name}}}: bad substitution\n"));
                }
                w.text.push(open);
                w.text.push_str(&name);
                w.text.push(VAR_END);
                w.vars = true;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                w.text.push(open);
                while let Some(&c) = self.chars.peek() {
                    if !(c.is_ascii_alphanumeric() || c == '_') {
                        break;
                    }
                    w.text.push(c);
                    self.chars.next();
                }
                w.text.push(VAR_END);
                w.vars = true;
            }
            _ => w.text.push('$'),
        }
        Ok(())
    }

    /// Read one word; `Ok(None)` when none starts here.
    fn word(&mut self) -> Result<Option<Word>, String> {
        let mut w = Word::default();
        let mut any = false;
        // Still reading an unquoted NAME that `=` would make an assignment.
        let mut name_so_far = true;
        while let Some(&c) = self.chars.peek() {
            if name_so_far && w.assign.is_none() {
                if c == '=' && is_name(&w.text) {
                    w.assign = Some(w.text.len());
                } else if !(c.is_ascii_alphanumeric() || c == '_') {
                    name_so_far = false;
                }
            }
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '>' | '<' => break,
                '\'' => {
                    self.chars.next();
                    any = true;
                    w.quoted = true;
                    loop {
                        match self.chars.next() {
                            Some('\'') => break,
                            Some(c) => w.text.push(c),
                            None => return Err(unexpected_eof('\'')),
                        }
                    }
                }
                '"' => {
                    self.chars.next();
                    any = true;
                    w.quoted = true;
                    loop {
                        match self.chars.next() {
                            Some('"') => break,
                            Some('\\') => match self.chars.next() {
                                Some(c @ ('"' | '\\' | '$' | '`')) => w.text.push(c),
                                Some(c) => {
                                    w.text.push('\\');
                                    w.text.push(c);
                                }
                                None => return Err(unexpected_eof('"')),
                            },
                            Some('$') => self.expand_dollar(&mut w, true)?,
                            Some(c) => w.text.push(c),
                            None => return Err(unexpected_eof('"')),
                        }
                    }
                }
                '\\' => {
                    self.chars.next();
                    any = true;
                    w.quoted = true;
                    if let Some(c) = self.chars.next() {
                        w.text.push(c);
                    }
                }
                '$' => {
                    self.chars.next();
                    any = true;
                    self.expand_dollar(&mut w, false)?;
                }
                '*' | '?' => {
                    self.chars.next();
                    any = true;
                    w.glob = true;
                    w.text.push(c);
                }
                _ => {
                    self.chars.next();
                    any = true;
                    w.text.push(c);
                }
            }
        }
        Ok(any.then_some(w))
    }

    fn redirect(&mut self, fd: u8) -> Result<Tok, String> {
        // The first '>' is consumed by the caller.
        let append = if self.chars.peek() == Some(&'>') {
            self.chars.next();
            true
        } else {
            false
        };
        if self.chars.peek() == Some(&'&') {
            self.chars.next();
            return match self.chars.next() {
                Some('1') => Ok(Tok::Redir(fd, append, RedirTarget::Fd(1))),
                Some('2') => Ok(Tok::Redir(fd, append, RedirTarget::Fd(2))),
                _ => Err(String::from(
                    "bash: syntax error near unexpected token `&'\n",
                )),
            };
        }
        self.skip_blanks();
        match self.word()? {
            Some(w) => Ok(Tok::Redir(fd, append, RedirTarget::Path(w))),
            None => Ok(Tok::Redir(fd, append, RedirTarget::Missing)),
        }
    }

    pub(super) fn tokens(mut self) -> Result<Vec<Tok>, String> {
        let mut out = Vec::new();
        loop {
            self.skip_blanks();
            let Some(&c) = self.chars.peek() else { break };
            match c {
                '#' => break,
                ';' => {
                    self.chars.next();
                    out.push(Tok::Op(";"));
                }
                '&' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'&') {
                        self.chars.next();
                        out.push(Tok::Op("&&"));
                    } else {
                        out.push(Tok::Op("&"));
                    }
                }
                '|' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'|') {
                        self.chars.next();
                        out.push(Tok::Op("||"));
                    } else {
                        out.push(Tok::Op("|"));
                    }
                }
                '<' => {
                    self.chars.next();
                    out.push(Tok::Op("<"));
                }
                '>' => {
                    self.chars.next();
                    out.push(self.redirect(1)?);
                }
                '1' | '2' => {
                    // "2>" is a redirection only when the digit stands alone.
                    let mut look = self.chars.clone();
                    look.next();
                    if look.peek() == Some(&'>') {
                        self.chars.next();
                        self.chars.next();
                        out.push(self.redirect(if c == '1' { 1 } else { 2 })?);
                    } else if let Some(w) = self.word()? {
                        out.push(Tok::Word(w));
                    }
                }
                _ => {
                    if let Some(w) = self.word()? {
                        out.push(Tok::Word(w));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn unexpected_eof(q: char) -> String {
    format!("bash: unexpected EOF while looking for matching `{q}'\nbash: syntax error: unexpected end of file\n")
}

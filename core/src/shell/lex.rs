//! Lexing: a line into words, operators and redirections, with bash's
//! quoting, `$$`, `$?` and `${NAME}` expansion and `#` comments.

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
}

pub(super) struct Lexer<'a> {
    chars: core::iter::Peekable<core::str::Chars<'a>>,
    /// What `$$` expands to.
    pid: u32,
}

/// Stands for `$?` in a lexed word until the command runs (a private-use
/// code point, so typed text cannot collide with it in practice).
pub const LAST_STATUS: char = '\u{F8FF}';

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

    fn expand_dollar(&mut self, out: &mut String) {
        match self.chars.peek() {
            Some('$') => {
                self.chars.next();
                let _ = write!(out, "{}", self.pid);
            }
            Some('?') => {
                // Expanded when the command runs, after the ones before it.
                self.chars.next();
                out.push(LAST_STATUS);
            }
            Some('{') => {
                self.chars.next();
                // ${NAME}: no variables are set.
                for c in self.chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                while matches!(self.chars.peek(), Some(c) if c.is_ascii_alphanumeric() || *c == '_')
                {
                    self.chars.next();
                }
            }
            _ => out.push('$'),
        }
    }

    /// Read one word; `Ok(None)` when none starts here.
    fn word(&mut self) -> Result<Option<Word>, String> {
        let mut w = Word::default();
        let mut any = false;
        while let Some(&c) = self.chars.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '>' | '<' => break,
                '\'' => {
                    self.chars.next();
                    any = true;
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
                            Some('$') => self.expand_dollar(&mut w.text),
                            Some(c) => w.text.push(c),
                            None => return Err(unexpected_eof('"')),
                        }
                    }
                }
                '\\' => {
                    self.chars.next();
                    any = true;
                    if let Some(c) = self.chars.next() {
                        w.text.push(c);
                    }
                }
                '$' => {
                    self.chars.next();
                    any = true;
                    self.expand_dollar(&mut w.text);
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

//! Parsing: tokens into a list of simple commands joined by `;`, `&&`
//! and `||`. Pipes, background jobs and input redirection are refused.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::lex::{Lexer, RedirTarget, Tok, Word};
use crate::kernel::SHELL_PID;

/// One command with its words and redirections, as yet unexpanded.
#[derive(Debug)]
pub struct Simple {
    pub argv: Vec<Word>,
    /// fd, append, target; opened left to right.
    pub redirs: Vec<(u8, bool, RedirTarget)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// How a command joins the one before it.
pub enum Join {
    Seq,
    And,
    Or,
}

impl Join {
    /// Whether the command runs after one that exited with `last_status`
    /// (`;` always, `&&` on success, `||` on failure).
    pub fn runs(self, last_status: i32) -> bool {
        match self {
            Join::Seq => true,
            Join::And => last_status == 0,
            Join::Or => last_status != 0,
        }
    }
}

fn syntax_error(tok: &str) -> String {
    format!("bash: syntax error near unexpected token `{tok}'\n")
}

/// A lexed line as its list of commands.
fn parse(tokens: Vec<Tok>) -> Result<Vec<(Join, Simple)>, String> {
    let mut list = Vec::new();
    let mut join = Join::Seq;
    let mut cur = Simple {
        argv: Vec::new(),
        redirs: Vec::new(),
    };
    let mut tokens = tokens.into_iter().peekable();
    while let Some(t) = tokens.next() {
        match t {
            Tok::Word(w) => cur.argv.push(w),
            Tok::Redir(fd, append, target) => {
                if target == RedirTarget::Missing {
                    let next = match tokens.peek() {
                        Some(Tok::Op(op)) => op,
                        Some(Tok::Redir(..)) => ">",
                        _ => "newline",
                    };
                    return Err(syntax_error(next));
                }
                cur.redirs.push((fd, append, target));
            }
            Tok::Op(op) => {
                match op {
                    "|" => return Err(String::from("memcg: pipes are not supported\n")),
                    "&" => return Err(String::from("memcg: background jobs are not supported\n")),
                    "<" => return Err(String::from("memcg: input redirection is not supported\n")),
                    _ => {}
                }
                if cur.argv.is_empty() && cur.redirs.is_empty() {
                    return Err(syntax_error(op));
                }
                let next_join = match op {
                    "&&" => Join::And,
                    "||" => Join::Or,
                    _ => Join::Seq,
                };
                list.push((
                    join,
                    core::mem::replace(
                        &mut cur,
                        Simple {
                            argv: Vec::new(),
                            redirs: Vec::new(),
                        },
                    ),
                ));
                join = next_join;
                if next_join != Join::Seq && tokens.peek().is_none() {
                    return Err(String::from("bash: syntax error: unexpected end of file\n"));
                }
            }
        }
    }
    if !cur.argv.is_empty() || !cur.redirs.is_empty() {
        list.push((join, cur));
    }
    Ok(list)
}

/// Lex and parse one line: the list of commands the shell would run, or
/// the message bash prints for a line it refuses.
///
/// NUL bytes are dropped first, as bash 5.2 drops them from an input line,
/// silently (`printf 'mkdir a\0b\n' | bash` makes `ab`): no word, and so no
/// path or cgroup name, holds a NUL.
pub fn parse_line(line: &str) -> Result<Vec<(Join, Simple)>, String> {
    if line.contains('\0') {
        let line: String = line.chars().filter(|&c| c != '\0').collect();
        return Lexer::new(&line, SHELL_PID).tokens().and_then(parse);
    }
    Lexer::new(line, SHELL_PID).tokens().and_then(parse)
}

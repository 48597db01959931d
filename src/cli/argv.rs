//! `askpro company:create …` → `askpro company create …`.
//!
//! The clap tree stays nested so completions work; the colon form the seeds' operators type is
//! rewritten before parsing. Only the first positional argument is considered, skipping global
//! options and their values, so a value such as `sqlite://x.db` is never split.

use std::ffi::OsString;

/// Global options that take a value in the next argument.
const VALUE_OPTIONS: [&str; 2] = ["--config", "--database-url"];

pub fn normalise(args: Vec<OsString>, namespaces: &[&str]) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len() + 1);
    let mut iter = args.into_iter();
    if let Some(program) = iter.next() {
        out.push(program);
    }
    let mut skip_value = false;
    let mut done = false;
    for arg in iter {
        if done {
            out.push(arg);
            continue;
        }
        let text = arg.to_string_lossy();
        if skip_value {
            skip_value = false;
        } else if text == "--" {
            done = true;
        } else if text.starts_with('-') {
            skip_value = VALUE_OPTIONS.contains(&text.as_ref());
        } else {
            done = true;
            if let Some((ns, verb)) = text.split_once(':') {
                if namespaces.contains(&ns) && !verb.is_empty() {
                    out.push(OsString::from(ns));
                    out.push(OsString::from(verb));
                    continue;
                }
            }
        }
        out.push(arg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        normalise(args, &["company", "branch", "db"]).into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn splits_the_first_positional_only() {
        assert_eq!(
            run(&["askpro", "company:create", "--name", "a:b"]),
            ["askpro", "company", "create", "--name", "a:b"]
        );
        assert_eq!(run(&["askpro", "--json", "db:status"]), ["askpro", "--json", "db", "status"]);
        assert_eq!(
            run(&["askpro", "--database-url", "sqlite:x.db", "branch:list"]),
            ["askpro", "--database-url", "sqlite:x.db", "branch", "list"]
        );
        assert_eq!(run(&["askpro", "company", "create"]), ["askpro", "company", "create"]);
        assert_eq!(run(&["askpro", "nope:verb"]), ["askpro", "nope:verb"]);
        assert_eq!(run(&["askpro", "company:"]), ["askpro", "company:"]);
    }
}

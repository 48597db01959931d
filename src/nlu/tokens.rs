//! Splits spoken text into folded words and numbers such as `15`, `15:30`, `3.12.`, `03.12.2026`.

use super::lexicon::{cardinal, fold, ordinal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Word(String),
    /// Digit groups joined by one kind of separator; `trailing_dot` for `15.` or `3.12.`.
    Num {
        parts: Vec<u32>,
        sep: Option<char>,
        trailing_dot: bool,
    },
}

pub fn tokenize(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = fold(text).chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let (mut parts, mut sep, mut trailing_dot) = (Vec::new(), None, false);
            loop {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().collect();
                parts.push(if digits.len() > 6 { u32::MAX } else { digits.parse().unwrap_or(u32::MAX) });
                if i < chars.len() && matches!(chars[i], '.' | ':') {
                    let s = chars[i];
                    let digit_follows = chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                    if digit_follows && sep.is_none_or(|p| p == s) && parts.len() < 3 {
                        sep = Some(s);
                        i += 1;
                        continue;
                    }
                    if s == '.' && !digit_follows {
                        trailing_dot = true;
                        i += 1;
                    }
                }
                break;
            }
            toks.push(Tok::Num { parts, sep, trailing_dot });
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            toks.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            i += 1;
        }
    }
    join_compounds(toks)
}

/// `twenty first` (from `twenty-first`) → `twentyfirst`, so English compounds look up as one word.
fn join_compounds(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for tok in toks {
        if let (Some(Tok::Word(prev)), Tok::Word(word)) = (out.last_mut(), &tok) {
            let tens = matches!(prev.as_str(), "twenty" | "thirty" | "forty" | "fifty");
            let unit = cardinal(word).is_some_and(|n| (1..10).contains(&n)) || ordinal(word).is_some_and(|n| n < 10);
            if tens && unit && !matches!(word.as_str(), "a" | "an") {
                prev.push_str(word);
                continue;
            }
        }
        out.push(tok);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(parts: &[u32], sep: Option<char>, trailing_dot: bool) -> Tok {
        Tok::Num { parts: parts.to_vec(), sep, trailing_dot }
    }

    #[test]
    fn numbers_keep_their_shape() {
        let t = tokenize("Am 3.12. um 15:30, oder 03.12.2026 um 15.30 Uhr? am 18.");
        assert_eq!(t[1], num(&[3, 12], Some('.'), true));
        assert_eq!(t[3], num(&[15, 30], Some(':'), false));
        assert_eq!(t[5], num(&[3, 12, 2026], Some('.'), false));
        assert_eq!(t[7], num(&[15, 30], Some('.'), false));
        assert_eq!(t[10], num(&[18], None, true));
    }

    #[test]
    fn words_are_folded_and_split_from_numbers() {
        let t = tokenize("3pm Übermorgen twenty-first 3rd");
        assert_eq!(t[0], num(&[3], None, false));
        assert_eq!(t[1], Tok::Word("pm".into()));
        assert_eq!(t[2], Tok::Word("ubermorgen".into()));
        assert_eq!(t[3], Tok::Word("twentyfirst".into()));
        assert_eq!(t[5], Tok::Word("rd".into()));
        assert!(tokenize("99999999999999999999").len() == 1);
    }
}

//! Math in figure text: `e^{−βk}`, `x^0.75`, `η_opt`, `λ_{max}` rendered as
//! Unicode super- and subscripts where every character has one, else as SVG
//! `<tspan baseline-shift>`; never as raw markup.
//!
//! Grammar (a small subset of TeX): `^` or `_` followed by a `{…}` group
//! (nesting allowed), or, without braces, `^` followed by a number
//! (`0.75`, `−1`) or one character, and `_` followed by a run of letters and
//! digits (`opt`, `k`, `0`). A `^` or `_` followed by nothing scriptable is kept
//! literally.
//!
//! Text reaches plotters with private-use marker characters around the groups
//! that need a `<tspan>` (plotters escapes text, so markup cannot pass
//! through); [`finish_svg`] turns the markers into tspans after rendering.

/// Opens a superscript `<tspan>` in text handed to plotters.
const SUP_OPEN: char = '\u{E000}';
/// Opens a subscript `<tspan>`.
const SUB_OPEN: char = '\u{E001}';
/// Closes either.
const CLOSE: char = '\u{E002}';

/// Whether a script is raised or lowered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Sup,
    Sub,
}

/// The Unicode super- or subscript of `c`, if there is one.
fn script_char(c: char, script: Script) -> Option<char> {
    let (from, to) = match script {
        Script::Sup => (
            "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδφχθ",
            "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᵠᵡᶿ",
        ),
        Script::Sub => (
            "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
            "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        ),
    };
    from.chars()
        .position(|f| f == c)
        .and_then(|i| to.chars().nth(i))
}

/// The script text after a `^` or `_` at `chars[at]`, and the index after it;
/// `None` if nothing scriptable follows.
fn script_group(chars: &[char], at: usize, script: Script) -> Option<(String, usize)> {
    let start = at + 1;
    let first = *chars.get(start)?;
    if first == '{' {
        let mut depth = 0usize;
        for (k, &c) in chars.iter().enumerate().skip(start) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some((chars[start + 1..k].iter().collect(), k + 1));
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric();
    let end = match script {
        Script::Sup => {
            let signed = matches!(first, '-' | '−')
                && chars.get(start + 1).is_some_and(char::is_ascii_digit);
            if first.is_ascii_digit() || signed {
                let mut k = start + 1;
                while chars.get(k).is_some_and(|c| {
                    c.is_ascii_digit()
                        || (*c == '.' && chars.get(k + 1).is_some_and(char::is_ascii_digit))
                }) {
                    k += 1;
                }
                k
            } else if is_word(first) {
                start + 1
            } else {
                return None;
            }
        }
        Script::Sub => {
            let mut k = start;
            while chars.get(k).is_some_and(|c| is_word(*c)) {
                k += 1;
            }
            if k == start {
                return None;
            }
            k
        }
    };
    Some((chars[start..end].iter().collect(), end))
}

/// Math markup → text for plotters: Unicode scripts where every character of
/// a group has one, else the group between private-use markers that
/// [`finish_svg`] turns into a `<tspan>`.
pub(crate) fn markup(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let script = match chars[i] {
            '^' => Some(Script::Sup),
            '_' => Some(Script::Sub),
            _ => None,
        };
        let group = script.and_then(|s| script_group(&chars, i, s).map(|g| (s, g)));
        let Some((script, (text, next))) = group else {
            out.push(chars[i]);
            i += 1;
            continue;
        };
        let unicode: Option<String> = text.chars().map(|c| script_char(c, script)).collect();
        match unicode {
            Some(u) => out.push_str(&u),
            None => {
                out.push(match script {
                    Script::Sup => SUP_OPEN,
                    Script::Sub => SUB_OPEN,
                });
                out.push_str(&markup(&text));
                out.push(CLOSE);
            }
        }
        i = next;
    }
    out
}

/// Replace the markers [`markup`] left in rendered SVG by `<tspan>`s.
pub(crate) fn finish_svg(svg: &str) -> String {
    svg.replace(
        SUP_OPEN,
        r#"<tspan baseline-shift="super" font-size="75%">"#,
    )
    .replace(SUB_OPEN, r#"<tspan baseline-shift="sub" font-size="75%">"#)
    .replace(CLOSE, "</tspan>")
}

/// Width of marked-up text in units of one full-size character (script
/// groups count 3/4).
pub(crate) fn text_units(marked: &str) -> f64 {
    let mut depth = 0usize;
    let mut units = 0.0;
    for c in marked.chars() {
        match c {
            SUP_OPEN | SUB_OPEN => depth += 1,
            CLOSE => depth = depth.saturating_sub(1),
            _ => units += if depth > 0 { 0.75 } else { 1.0 },
        }
    }
    units
}

/// Math markup → SVG text content: XML-escaped, Unicode scripts where they
/// exist, `<tspan baseline-shift="super|sub" font-size="75%">` elsewhere.
///
/// `math_svg("η_opt")` is `ηₒₚₜ`, `math_svg("e^{−βk}")` is `e⁻ᵝᵏ`,
/// `math_svg("x^0.75")` is `x<tspan baseline-shift="super" font-size="75%">0.75</tspan>`.
pub fn math_svg(label: &str) -> String {
    let escaped = markup(label)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    finish_svg(&escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_where_every_character_has_a_script() {
        assert_eq!(math_svg("η_opt"), "ηₒₚₜ");
        assert_eq!(math_svg("λ_{max}"), "λₘₐₓ");
        assert_eq!(math_svg("e^{−βk}"), "e⁻ᵝᵏ");
        assert_eq!(math_svg("|e_{k+1}/e_k|"), "|eₖ₊₁/eₖ|");
        assert_eq!(math_svg("w_0 and x^2"), "w₀ and x²");
    }

    #[test]
    fn tspan_where_a_character_has_none() {
        let sup = r#"<tspan baseline-shift="super" font-size="75%">"#;
        let sub = r#"<tspan baseline-shift="sub" font-size="75%">"#;
        assert_eq!(
            math_svg("0.5/(k+1)^0.75"),
            format!("0.5/(k+1){sup}0.75</tspan>")
        );
        assert_eq!(
            math_svg("0.5·e^{−0.1k}"),
            format!("0.5·e{sup}−0.1k</tspan>")
        );
        assert_eq!(math_svg("w_K"), format!("w{sub}K</tspan>"));
        assert_eq!(math_svg("2/f″(w_loc)"), format!("2/f″(w{sub}loc</tspan>)"));
    }

    #[test]
    fn literal_when_nothing_follows_and_text_is_escaped() {
        assert_eq!(math_svg("a_ b^ <c>"), "a_ b^ &lt;c&gt;");
        assert_eq!(text_units(&markup("x^0.75")), 1.0 + 4.0 * 0.75);
    }
}

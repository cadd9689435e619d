//! Dockerfiles: instructions recovered from an image's history, and the lines of a Dockerfile
//! the user supplies (`--dockerfile`), mapped onto the image's layers.

use serde::{Deserialize, Serialize};

/// A history `created_by` as a Dockerfile instruction. Understands the classic builder and
/// buildah (`/bin/sh -c #(nop) WORKDIR /src`, `/bin/sh -c apt-get …`, `|2 A=1 B=2 /bin/sh -c …`)
/// and BuildKit (`RUN /bin/sh -c … # buildkit`, `COPY . . # buildkit`, `WORKDIR /src`).
pub(crate) fn instruction(created_by: &str) -> String {
    let mut s = created_by.trim();
    if let Some(rest) = s.strip_suffix("# buildkit") {
        s = rest.trim_end();
    }
    // `|N K=V … /bin/sh -c …`: build args in front of the shell.
    if s.starts_with('|') {
        if let Some(i) = s.find("/bin/sh -c ") {
            s = &s[i..];
        }
    }
    if let Some(rest) = s.strip_prefix("/bin/sh -c #(nop) ") {
        let rest = rest.trim();
        // `COPY file:abc in /dst`, `ADD multi:abc in ./`
        for kw in ["COPY", "ADD"] {
            if let Some(r) = rest.strip_prefix(kw) {
                if let Some((src, dst)) = r.trim().rsplit_once(" in ") {
                    return format!("{kw} {} {}", src.trim(), dst.trim());
                }
            }
        }
        return rest.to_string();
    }
    if let Some(rest) = s.strip_prefix("/bin/sh -c ") {
        return format!("RUN {}", rest.trim());
    }
    if let Some(rest) = s.strip_prefix("RUN /bin/sh -c ") {
        return format!("RUN {}", rest.trim());
    }
    let word = s.split_whitespace().next().unwrap_or("");
    if word.chars().all(|c| c.is_ascii_uppercase()) && !word.is_empty() {
        return s.to_string();
    }
    format!("RUN {s}")
}

/// One instruction of a user's Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    /// 1-based line where it starts.
    pub line: usize,
    /// Upper-cased keyword (`RUN`).
    pub keyword: String,
    /// The instruction text, continuation lines joined.
    pub text: String,
    /// The image layer it made, where it made one in the final stage.
    pub layer: Option<usize>,
}

impl Instruction {
    /// An instruction starting at `line`, its keyword taken from the text.
    fn new(line: usize, text: String) -> Self {
        let keyword = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        Instruction {
            line,
            keyword,
            text,
            layer: None,
        }
    }
}

/// Split a Dockerfile into instructions (comments and blank lines skipped, `\` continuations
/// joined).
pub fn parse(text: &str) -> Vec<Instruction> {
    let mut out: Vec<Instruction> = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if cur.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if cur.is_some() && trimmed.starts_with('#') {
            continue;
        }
        let (start, mut acc) = cur.take().unwrap_or((i + 1, String::new()));
        let (body, cont) = match trimmed.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (trimmed, false),
        };
        if !acc.is_empty() {
            acc.push(' ');
        }
        acc.push_str(body);
        if cont {
            cur = Some((start, acc));
        } else {
            out.push(Instruction::new(start, acc));
        }
    }
    if let Some((start, acc)) = cur {
        out.push(Instruction::new(start, acc));
    }
    out
}

/// Map the final stage's layer-making instructions (RUN, COPY, ADD) onto the image's layers,
/// counting back from the last layer (the base image's layers come first and are not in the
/// Dockerfile).
pub fn map_layers(instructions: &mut [Instruction], layer_count: usize) {
    let last_from = instructions
        .iter()
        .rposition(|i| i.keyword == "FROM")
        .map_or(0, |p| p + 1);
    let makers: Vec<usize> = (last_from..instructions.len())
        .filter(|&i| matches!(instructions[i].keyword.as_str(), "RUN" | "COPY" | "ADD"))
        .collect();
    if makers.len() > layer_count {
        return;
    }
    let first = layer_count - makers.len();
    for (k, &i) in makers.iter().enumerate() {
        instructions[i].layer = Some(first + k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_to_instructions() {
        assert_eq!(
            instruction("/bin/sh -c #(nop) WORKDIR /src"),
            "WORKDIR /src"
        );
        assert_eq!(
            instruction("/bin/sh -c #(nop) COPY file:abc in . "),
            "COPY file:abc ."
        );
        assert_eq!(
            instruction("/bin/sh -c gcc -o hello hello.c"),
            "RUN gcc -o hello hello.c"
        );
        assert_eq!(instruction("|1 V=2 /bin/sh -c make"), "RUN make");
        assert_eq!(instruction("RUN /bin/sh -c make # buildkit"), "RUN make");
        assert_eq!(instruction("COPY . . # buildkit"), "COPY . .");
        assert_eq!(
            instruction("/bin/sh -c #(nop) CMD [\"bash\"]"),
            "CMD [\"bash\"]"
        );
    }

    #[test]
    fn parses_and_maps() {
        let text = "FROM debian AS b\nRUN x\n\nFROM debian\n# c\nRUN apt-get update \\\n  && apt-get install -y gcc\nWORKDIR /src\nCOPY a.c .\nCMD [\"./a\"]\n";
        let mut ins = parse(text);
        assert_eq!(ins.len(), 7);
        assert_eq!(ins[3].text, "RUN apt-get update && apt-get install -y gcc");
        assert_eq!(ins[3].line, 6);
        map_layers(&mut ins, 3);
        assert_eq!(ins[3].layer, Some(1));
        assert_eq!(ins[5].layer, Some(2));
        assert_eq!(ins[1].layer, None);
    }
}

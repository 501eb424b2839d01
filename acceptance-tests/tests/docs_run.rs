//! The tutorial, its AWS CLI lessons, the classroom guide and the testing guide, run as a reader runs them: every `sh`
//! block in order, in one shell, from a copy of the repository's examples, and
//! the output each block shows (the `text` block after it) compared with what
//! it prints. A line `…` in a shown output marks a cut, and `…` inside a line
//! stands for anything (IDs); a shown output may start and end anywhere in what
//! the commands print, but between two shown words nothing may be left out
//! without a marked cut. Line wrapping and Terraform's diagnostic boxes do not
//! count.

use std::path::{Path, PathBuf};
use std::process::Command;

use amisim_acceptance_tests::{
    amisim_binary, copy_tree, provider_dir, repo_root, terraform_binary,
};

/// One `sh` block and the output shown after it, if any.
struct Step {
    line: usize,
    commands: String,
    shown: Option<String>,
}

fn steps(markdown: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = markdown.lines().enumerate().peekable();
    let mut last_was_sh = false;
    while let Some((n, line)) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else {
            if !line.trim().is_empty() {
                last_was_sh = false;
            }
            continue;
        };
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        match lang.trim() {
            "sh" => {
                steps.push(Step {
                    line: n + 1,
                    commands: body,
                    shown: None,
                });
                last_was_sh = true;
                continue;
            }
            "text" if last_was_sh => {
                if let Some(step) = steps.last_mut() {
                    step.shown = Some(body);
                }
            }
            _ => {}
        }
        last_was_sh = false;
    }
    steps
}

/// Terraform draws a box around each diagnostic (`╷`, `│ `, `╵`) and wraps its
/// text to the box; the docs show the text unboxed, wrapped for the page.
fn unboxed(text: &str) -> String {
    text.lines()
        .filter(|l| *l != "╷" && *l != "╵")
        .map(|l| {
            l.strip_prefix("│ ")
                .or_else(|| l.strip_prefix('│'))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text with every run of white space made one space: wrapping does not count.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the shown output stands in what was printed, in one piece: its
/// words in order with nothing between them but white space, except where a
/// `…` marks a cut (it stands for anything, across lines too).
fn shows(shown: &str, printed: &str) -> bool {
    let shown = collapsed(shown);
    let printed = collapsed(&unboxed(printed));
    let pattern = shown
        .split('…')
        // A table's rule is as wide as its table: any run of `─` stands for another.
        .map(|part| {
            let part = regex::escape(part.trim());
            let rules = regex::Regex::new("─+").expect("a pattern");
            rules.replace_all(&part, "─+").into_owned()
        })
        .collect::<Vec<_>>()
        .join(".*?");
    regex::RegexBuilder::new(&pattern)
        .dot_matches_new_line(true)
        .size_limit(1 << 24)
        .build()
        .is_ok_and(|re| re.is_match(&printed))
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A copy of the repository as a reader has it after the set-up: the examples,
/// the built binaries under `target/debug`, `.tools/terraformrc`, and
/// `terraform` and `amisim` on PATH.
fn reader_root() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    copy_tree(&repo_root().join("examples"), &root.join("examples"));
    let debug = root.join("target/debug");
    std::fs::create_dir_all(&debug).unwrap();
    let providers = provider_dir();
    for bin in ["terraform-provider-amisim", "amisim"] {
        let from = if bin == "amisim" {
            amisim_binary().to_path_buf()
        } else {
            providers.join(bin)
        };
        std::os::unix::fs::symlink(from, debug.join(bin)).unwrap();
    }
    std::fs::create_dir_all(root.join(".tools/bin")).unwrap();
    std::fs::write(
        root.join(".tools/terraformrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/amisim/amisim\" = \"{p}\"\n    \"registry.opentofu.org/amisim/amisim\" = \"{p}\"\n  }}\n  direct {{}}\n}}\n",
            p = providers.display()
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(terraform_binary(), root.join(".tools/bin/terraform")).unwrap();
    std::os::unix::fs::symlink(amisim_binary(), root.join(".tools/bin/amisim")).unwrap();
    // The AWS CLI as the set-up installs it.
    std::os::unix::fs::symlink(
        repo_root().join(".tools/bin/aws"),
        root.join(".tools/bin/aws"),
    )
    .unwrap();
    (dir, root)
}

/// Runs every `sh` block of `doc` in order in one shell started in `start`
/// (relative to the reader's root); returns each block's output.
fn run(doc: &str, start: &str) -> (Vec<Step>, Vec<String>) {
    let text = std::fs::read_to_string(repo_root().join(doc)).unwrap();
    let steps = steps(&text);
    let (_dir, root) = reader_root();
    let mut script = String::from("set +e\nexec 2>&1\n");
    script.push_str(&format!("cd {}\n", shell_quote(&root.join(start))));
    for (n, step) in steps.iter().enumerate() {
        script.push_str(&format!("echo '@@step {n}@@'\n"));
        for line in step.commands.lines() {
            // The set-up is done already: the binaries are built.
            if line.trim() == "make demo" {
                continue;
            }
            script.push_str(line);
            script.push('\n');
        }
    }
    script.push_str("echo '@@step end@@'\n");
    let path = std::env::var("PATH").unwrap_or_default();
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&root)
        .env(
            "PATH",
            format!("{}:{path}", root.join(".tools/bin").display()),
        )
        .env_remove("TF_CLI_CONFIG_FILE")
        .env_remove("AMISIM_STORE")
        .env_remove("AMISIM_ACCOUNT_ID")
        .env_remove("AMISIM_REGION")
        .env_remove("AMISIM_ENDPOINT")
        .env_remove("AWS_ENDPOINT_URL")
        // The key file `amisim serve` and `amisim accounts claim` make is the reader's own.
        .env("AMISIM_KEY_FILE", root.join("secret.key"))
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("CHECKPOINT_DISABLE", "1")
        .env("RUST_BACKTRACE", "0")
        .env("RUST_LIB_BACKTRACE", "0")
        .output()
        .unwrap();
    let all = strip_ansi(&String::from_utf8_lossy(&out.stdout));
    let mut outputs = vec![String::new(); steps.len()];
    let mut current: Option<usize> = None;
    for line in all.lines() {
        if let Some(marker) = line
            .strip_prefix("@@step ")
            .and_then(|l| l.strip_suffix("@@"))
        {
            current = marker.parse().ok();
            continue;
        }
        if let Some(n) = current {
            outputs[n].push_str(line);
            outputs[n].push('\n');
        }
    }
    (steps, outputs)
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

fn check(doc: &str, start: &str) {
    let (steps, outputs) = run(doc, start);
    let mut failures = Vec::new();
    for (step, output) in steps.iter().zip(&outputs) {
        if let Some(shown) = &step.shown {
            if !shows(shown, output) {
                failures.push(format!(
                    "{doc}:{}: the output shown after\n{}\nis not what the commands print:\n--- shown\n{shown}--- printed\n{output}",
                    step.line, step.commands
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shown_lines_match_with_marked_cuts_only() {
    let printed = "a\nb ami-123 c\nd\ne\n";
    assert!(shows("b ami-… c\nd\n", printed));
    assert!(shows("a\n…\ne\n", printed));
    assert!(!shows("a\nd\n", printed), "an unmarked cut");
    assert!(!shows("b ami-… x\n", printed));
    // Wrapping, Terraform's diagnostic box and the width of a table's rule do not count.
    assert!(shows("A B\n───\nc d\n", "A  B\n──────\nc  d\n"));
    assert!(shows(
        "could pick an\nimage",
        "╷\n│ could pick\n│ an image\n╵\n"
    ));
}

#[test]
fn every_command_of_the_tutorial_prints_what_it_shows() {
    check("docs/tutorial.md", ".");
}

#[test]
fn every_command_of_the_aws_cli_tutorial_prints_what_it_shows() {
    check("docs/aws-cli-tutorial.md", ".");
}

#[test]
fn every_command_of_the_classroom_guide_prints_what_it_shows() {
    check("docs/classroom.md", ".");
}

#[test]
fn every_command_of_the_testing_guide_prints_what_it_shows() {
    check("docs/testing.md", ".");
}

#[test]
fn each_lesson_of_the_tutorial_draws_its_committed_graph() {
    let tutorial = std::fs::read_to_string(repo_root().join("docs/tutorial.md")).unwrap();
    let mut graphs = 0;
    for entry in std::fs::read_dir(repo_root().join("docs/graphs"))
        .unwrap()
        .flatten()
    {
        let graph = std::fs::read_to_string(entry.path()).unwrap();
        assert!(
            tutorial.contains(&format!("```mermaid\n{graph}```\n")),
            "docs/tutorial.md does not draw {}: run make docs",
            entry.path().display()
        );
        graphs += 1;
    }
    assert_eq!(graphs, 15, "a graph per lesson");
}

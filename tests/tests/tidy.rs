//! Repository rules, checked as a plain test (rust-analyzer's "tidy"):
//!
//! * the crate dependency graph follows the layering in `docs/architecture.md`
//!   (read from `cargo metadata`): a crate depends only on crates of lower
//!   layers, only `descent-linalg` uses faer directly, and
//!   `descent-schedule` knows nothing of linear algebra;
//! * every crate folder is named after its package;
//! * every `.rs` file starts with a `//!` comment;
//! * no stub macros, ignored tests or `should_panic` tests;
//! * every crate has a section in `docs/architecture.md` and a line in the
//!   README's crate map.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The layers, lowest first. A crate may depend on crates of strictly lower
/// layers only (normal, dev and build dependencies alike).
const LAYERS: &[&[&str]] = &[
    &["descent-linalg"],
    &["descent-core"],
    &["descent-schedule", "descent-problems", "descent-data"],
    &["descent-graph"],
    &["descent-backprop"],
    &["descent-gd"],
    &["descent-newton"],
    &["descent-lab"],
    &["descent-study"],
    &["xtask", "descent-tests"],
];

fn layer_of(name: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&name))
}

struct Package {
    name: String,
    manifest_dir: PathBuf,
    deps: Vec<String>,
}

fn workspace_packages() -> Vec<Package> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(project_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Package {
            name: p["name"].as_str().unwrap().to_owned(),
            manifest_dir: PathBuf::from(p["manifest_path"].as_str().unwrap())
                .parent()
                .unwrap()
                .to_path_buf(),
            deps: p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect(),
        })
        .collect()
}

#[test]
fn dependency_graph_follows_the_layers() {
    let mut violations = Vec::new();
    for p in workspace_packages() {
        let Some(layer) = layer_of(&p.name) else {
            violations.push(format!(
                "{} is not in the layer list of tidy.rs (and docs/architecture.md)",
                p.name
            ));
            continue;
        };
        for dep in &p.deps {
            if let Some(dep_layer) = layer_of(dep) {
                if dep_layer >= layer {
                    violations.push(format!(
                        "{} (layer {layer}) depends on {dep} (layer {dep_layer})",
                        p.name
                    ));
                }
            }
            if dep == "faer" && p.name != "descent-linalg" {
                violations.push(format!(
                    "{} uses faer directly; go through descent-linalg",
                    p.name
                ));
            }
        }
        if p.name == "descent-schedule" {
            for dep in &p.deps {
                if ![
                    "descent-core",
                    "serde",
                    "serde_json",
                    "toml",
                    "thiserror",
                    "insta",
                    "proptest",
                ]
                .contains(&dep.as_str())
                {
                    violations.push(format!(
                        "descent-schedule must know nothing but the error type; it depends on {dep}"
                    ));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn crate_folders_are_named_after_their_packages() {
    for p in workspace_packages() {
        let folder = p
            .manifest_dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let expected = match p.name.as_str() {
            "descent-tests" => "tests",
            name => name,
        };
        assert_eq!(
            folder, expected,
            "package {} lives in folder {folder}",
            p.name
        );
        if p.name.starts_with("descent-") && p.name != "descent-tests" {
            assert_eq!(
                p.manifest_dir.parent().unwrap().file_name().unwrap(),
                "crates",
                "{} must live in crates/",
                p.name
            );
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap();
        if name == "target" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let root = project_root();
    let mut files = Vec::new();
    for dir in ["crates", "xtask", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10, "tidy found too few .rs files: {files:?}");
    files
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<String> = all_rust_files()
        .into_iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading //! doc comment:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_stubs_no_ignored_tests() {
    // Doc tests in the README count too.
    let readme = std::fs::read_to_string(project_root().join("README.md")).unwrap();
    assert!(
        !readme.contains(&["```ig", "nore"].concat()),
        "README has an ignored doc test"
    );
    // Built from pieces so that this file does not match itself.
    let needles = [
        ["to", "do!("].concat(),
        ["unimple", "mented!("].concat(),
        ["#[ig", "nore"].concat(),
        ["#[should", "_panic"].concat(),
        // Doc tests that would not run.
        ["```ig", "nore"].concat(),
        ["```should", "_panic"].concat(),
        ["```no", "_run"].concat(),
    ];
    let mut found = Vec::new();
    for f in all_rust_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for n in &needles {
                if line.contains(n.as_str()) {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "stubs or ignored tests:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_crate_is_documented_in_the_architecture_and_the_readme() {
    let root = project_root();
    let arch = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut missing = BTreeMap::new();
    for p in workspace_packages() {
        if !arch.contains(&format!("### `{}`", p.name)) {
            missing.insert(
                p.name.clone(),
                "docs/architecture.md has no `### `name`` section",
            );
        }
        if p.name.starts_with("descent-")
            && p.name != "descent-tests"
            && !readme.contains(&format!("`{}`", p.name))
        {
            missing.insert(p.name.clone(), "README.md's crate map does not list it");
        }
    }
    assert!(missing.is_empty(), "undocumented crates: {missing:#?}");
}

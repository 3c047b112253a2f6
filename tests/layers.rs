//! The library's modules form layers: no top-level module of `src/` reaches, through
//! `crate::` paths, a module that reaches back to it. A circle is reported with its
//! path, e.g. `kb -> ask -> kb`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `crate::name` a file mentions, `use crate::{a, b::{c, d}, e}` included.
fn mentions(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group's top-level items: split at commas outside nested braces.
            let (mut depth, mut start) = (0usize, 0usize);
            let mut items = Vec::new();
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        items.push(&group[start..j]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&group[start..j]);
                        start = j + 1;
                    }
                    _ => {}
                }
            }
            for part in items {
                let name: String = part.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.insert(name);
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let top =
                rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
            if matches!(top.as_str(), "lib" | "main" | "cli") {
                continue; // the crate roots and the binary's own module
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Code only: a doc comment may name a module it does not use.
            let text: String =
                text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            let deps = graph.entry(top.clone()).or_default();
            deps.extend(mentions(&text).into_iter().filter(|m| *m != top));
        }
    }
    graph
}

/// A path from `from` back to `to`, if any.
fn path_back(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![from.to_string()]];
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in graph.get(last).into_iter().flatten() {
            if next == to {
                let mut p = path.clone();
                p.push(next.clone());
                return Some(p);
            }
            if seen.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push(p);
            }
        }
    }
    None
}

#[test]
fn no_module_reaches_back_to_itself() {
    let graph = graph();
    assert!(graph.contains_key("rules") && graph.contains_key("command"), "{graph:?}");
    for module in graph.keys() {
        if let Some(path) = path_back(&graph, module, module) {
            panic!("an import circle: {}", path.join(" -> "));
        }
    }
}

#[test]
fn the_rule_module_depends_on_the_profile_alone() {
    let graph = graph();
    assert_eq!(graph["rules"], BTreeSet::from(["profile".to_string()]));
}

#[test]
fn the_check_finds_a_circle() {
    let mut graph = graph();
    graph.get_mut("profile").unwrap().insert("rules".into());
    assert_eq!(path_back(&graph, "rules", "rules").unwrap(), ["rules", "profile", "rules"]);
    assert_eq!(
        mentions("use crate::{kb::Kb, lang};\nlet x = crate::map::draw();"),
        BTreeSet::from(["kb".to_string(), "lang".to_string(), "map".to_string()])
    );
    let nested = mentions("use crate::{kb::{Kb, Msg}, verdict};");
    assert_eq!(nested, BTreeSet::from(["kb".to_string(), "verdict".to_string()]), "after a nested group");
}

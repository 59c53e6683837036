//! The order of the layers, written once, and the test that keeps every import pointing
//! down: a module may use the modules listed before it, never one after it.

/// From the bottom: the vocabulary (`addr`, `config`, `model`, the workload-logging and
/// tabletop models), then the stages in the order data flows through them, then what
/// composes them.
pub const ORDER: &[&str] = &[
    "addr", "config", "model", "workload", "tabletop", "aws", "discover", "render", "plan",
    "check", "apply", "respond", "report", "workflow", "cli",
];

/// Every `crate::<module>` a source text uses outside its `#[cfg(test)]` part.
pub fn uses(source: &str) -> Vec<&str> {
    let body = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let name: &str = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default();
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

/// The imports of `module` (whose source is `source`) that point up, as `module -> used`.
pub fn upward(module: &str, source: &str) -> Vec<String> {
    let rank = |m: &str| ORDER.iter().position(|o| *o == m);
    let Some(own) = rank(module) else {
        return Vec::new();
    };
    uses(source)
        .into_iter()
        .filter(|used| rank(used).is_some_and(|r| r > own))
        .map(|used| format!("{module} -> {used}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    /// Every `.rs` file under `dir`, with the top-level module it belongs to.
    fn sources(dir: &Path, module: Option<&str>, out: &mut Vec<(String, String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let top = module.map_or(name.clone(), str::to_owned);
            if path.is_dir() {
                sources(&path, Some(&top), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((top, path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn every_import_points_down_the_layers() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            None,
            &mut files,
        );
        let modules: BTreeSet<&str> = files.iter().map(|(m, _, _)| m.as_str()).collect();
        for module in &modules {
            assert!(
                ORDER.contains(module) || ["lib", "main", "layers"].contains(module),
                "module {module} has no place in layers::ORDER"
            );
        }
        let upward: Vec<String> = files
            .iter()
            .flat_map(|(module, path, text)| {
                upward(module, text)
                    .into_iter()
                    .map(move |u| format!("{path}: {u}"))
            })
            .collect();
        assert!(
            upward.is_empty(),
            "imports pointing up:\n{}",
            upward.join("\n")
        );
    }

    #[test]
    fn an_import_from_above_is_found_and_a_test_module_is_not_read() {
        let source = "use crate::config::Environment;\nuse crate::plan::Plan;\n\
                      #[cfg(test)]\nmod tests { use crate::cli::Cli; }\n";
        assert_eq!(upward("render", source), ["render -> plan"]);
        assert!(upward("cli", source).is_empty());
    }
}

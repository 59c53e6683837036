//! Maps field paths (`forensic.vpc.cidr`, `regions[1]`) to their line and column in the
//! YAML source, so that errors found after deserialization can still point at the text.
//!
//! serde gives positions only for the errors it finds itself; semantic checks run on typed
//! values that no longer know where they came from. This index is built once per file from
//! the YAML parser's marked events.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Field path → position of the value (or of the key, for a value that is absent).
#[derive(Debug, Default)]
pub struct PositionIndex {
    positions: BTreeMap<String, Position>,
}

impl PositionIndex {
    /// Builds the index. A file that does not parse yields an empty index: serde reports
    /// the syntax error itself, with its own position.
    pub fn build(source: &str) -> Self {
        let mut indexer = Indexer::default();
        let mut parser = Parser::new_from_str(source);
        if parser.load(&mut indexer, false).is_err() {
            return Self::default();
        }
        Self {
            positions: indexer.positions,
        }
    }

    /// The position of `path`, or of its nearest ancestor that appears in the file (a
    /// missing field is reported at the mapping that should hold it).
    pub fn lookup(&self, path: &str) -> Position {
        let mut candidate = path;
        loop {
            if let Some(position) = self.positions.get(candidate) {
                return *position;
            }
            match candidate.rfind(['.', '[']) {
                Some(cut) => candidate = &candidate[..cut],
                None => return Position { line: 1, column: 1 },
            }
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Indexer {
    stack: Vec<Frame>,
    positions: BTreeMap<String, Position>,
}

impl Indexer {
    /// The path of the node that the next value event belongs to.
    fn child_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map {
                path,
                key: Some(key),
            }) => Some(if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            }),
            Some(Frame::Seq { path, index }) => Some(format!("{path}[{index}]")),
        }
    }

    /// Called after a complete value: the enclosing mapping expects a key again, the
    /// enclosing sequence moves to its next item.
    fn value_done(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    fn record(&mut self, path: String, mark: Marker) {
        self.positions.insert(
            path,
            Position {
                line: mark.line(),
                column: mark.col() + 1,
            },
        );
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => match self.child_path() {
                // A scalar where a key is expected is the key itself.
                None => {
                    if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                        let field = if path.is_empty() {
                            value.clone()
                        } else {
                            format!("{path}.{value}")
                        };
                        *key = Some(value);
                        // The key's position stands in until the value is seen.
                        self.record(field, mark);
                    }
                }
                Some(path) => {
                    self.record(path, mark);
                    self.value_done();
                }
            },
            Event::Alias(_) => {
                if let Some(path) = self.child_path() {
                    self.record(path, mark);
                }
                self.value_done();
            }
            Event::MappingStart(..) => {
                let path = self.child_path().unwrap_or_default();
                // The document itself is reported at its start.
                if !path.is_empty() {
                    self.positions.entry(path.clone()).or_insert(Position {
                        line: mark.line(),
                        column: mark.col() + 1,
                    });
                }
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.child_path().unwrap_or_default();
                self.positions.entry(path.clone()).or_insert(Position {
                    line: mark.line(),
                    column: mark.col() + 1,
                });
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(index: &PositionIndex, path: &str) -> (usize, usize) {
        let p = index.lookup(path);
        (p.line, p.column)
    }

    #[test]
    fn values_keys_and_sequence_items_have_positions() {
        let source = "name: demo\nregions: [us-east-1, eu-west-9]\nforensic:\n  vpc:\n    cidr: 10.0.0.0/16\n  list:\n    - a\n    - b\n";
        let index = PositionIndex::build(source);
        assert_eq!(at(&index, "name"), (1, 7));
        assert_eq!(at(&index, "regions[1]"), (2, 22));
        assert_eq!(at(&index, "forensic.vpc.cidr"), (5, 11));
        assert_eq!(at(&index, "forensic.list[1]"), (8, 7));
    }

    #[test]
    fn a_missing_field_points_at_its_nearest_ancestor() {
        let index = PositionIndex::build("a: 1\nforensic:\n  vpc:\n    cidr: x\n");
        assert_eq!(at(&index, "forensic.vpc.azs"), at(&index, "forensic.vpc"));
        assert_eq!(at(&index, "nothing.here"), (1, 1));
    }
}

//! The cache key of a group (SPEC 6.6, 13): named parts, each a blake3 digest over
//! a canonical, length-prefixed encoding, and one digest over all of them.
//!
//! Keeping the parts, not only the digest, is what lets `plan -v` say *which* part
//! changed since the last stored pass. Pure: everything is gathered by the caller.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::config::Group;
use crate::git::InputFile;

/// The parts of a key, in the order `plan -v` names them.
pub(crate) const PARTS: [&str; 6] = [
    "command",
    "environment",
    "program",
    "config",
    "version",
    "inputs",
];

/// A group's key: the digest names the stored entry; the parts explain a miss.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Key {
    pub(crate) digest: String,
    pub(crate) parts: BTreeMap<String, String>,
}

/// The program a command runs, identified by where it is and a cheap stamp:
/// a reinstalled tool (new mtime or size) is a different program, and a
/// rustup proxy running another toolchain is too.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ProgramStamp {
    pub(crate) path: PathBuf,
    pub(crate) modified_ns: u128,
    pub(crate) size: u64,
    /// For a rustup proxy (`cargo`, `rustc`, ...), the toolchain it resolves to
    /// from `cwd` with `env`.
    pub(crate) toolchain: Option<String>,
}

impl ProgramStamp {
    /// The stamp of `path` as run in `cwd` with `env` (`[env]` over tiergate's own).
    pub(crate) fn of(path: PathBuf, cwd: &Path, env: &[(OsString, OsString)]) -> ProgramStamp {
        let meta = std::fs::metadata(&path).ok();
        ProgramStamp {
            toolchain: super::toolchain::of_proxy(&path, cwd, env),
            modified_ns: meta
                .as_ref()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
            size: meta.map_or(0, |m| m.len()),
            path,
        }
    }
}

/// Everything a key is made of, gathered by the caller.
pub(crate) struct KeyInput<'a> {
    pub(crate) stage: &'a str,
    pub(crate) group: &'a Group,
    /// The expanded argvs, with `{junit}` and `{coverage}` paths left as placeholders.
    pub(crate) argvs: &'a [Vec<OsString>],
    /// `[env]` plus what the command added (`CI=true`).
    pub(crate) env: &'a [(OsString, OsString)],
    /// The group's `env_inputs`, with their values in tiergate's environment.
    pub(crate) env_inputs: &'a [(String, Option<OsString>)],
    pub(crate) program: &'a ProgramStamp,
    pub(crate) version: &'a str,
    /// `inputs_digest` of the group's inputs.
    pub(crate) inputs: &'a str,
}

/// The values of a group's `env_inputs` among `vars` (tiergate's environment).
/// A name ending in `*` (`CARGO_*`) stands for every variable with that
/// prefix, in name order: the tools of a family read many such variables.
pub(crate) fn env_input_values(
    names: &[String],
    vars: impl Iterator<Item = (OsString, OsString)>,
) -> Vec<(String, Option<OsString>)> {
    let vars: BTreeMap<OsString, OsString> = vars.collect();
    let mut values = Vec::new();
    for name in names {
        match name.strip_suffix('*') {
            Some(prefix) => {
                // The pattern itself first, so its matches never read as plain names.
                values.push((name.clone(), None));
                values.extend(
                    vars.iter()
                        .filter(|(k, _)| k.as_bytes().starts_with(prefix.as_bytes()))
                        .map(|(k, v)| (k.to_string_lossy().into_owned(), Some(v.clone()))),
                );
            }
            None => values.push((name.clone(), vars.get(std::ffi::OsStr::new(name)).cloned())),
        }
    }
    values
}

/// A canonical encoding: every field is length-prefixed, so no two different
/// field lists encode to the same bytes.
struct Canonical(blake3::Hasher);

impl Canonical {
    fn new(domain: &str) -> Canonical {
        let mut c = Canonical(blake3::Hasher::new());
        c.field(domain.as_bytes());
        c
    }

    fn field(&mut self, bytes: &[u8]) -> &mut Canonical {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    fn text(&mut self, text: &str) -> &mut Canonical {
        self.field(text.as_bytes())
    }

    fn finish(&self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

/// The digest of a list of inputs, sorted by path by the caller (`Repo::input_files`).
pub(crate) fn inputs_digest<'a>(files: impl Iterator<Item = &'a InputFile>) -> String {
    let mut c = Canonical::new("inputs");
    let mut count: u64 = 0;
    for file in files {
        c.field(&file.path)
            .field(&file.mode.to_le_bytes())
            .field(file.id.as_bytes());
        count += 1;
    }
    c.field(&count.to_le_bytes());
    c.finish()
}

fn config_part(stage: &str, group: &Group) -> String {
    let mut c = Canonical::new("config");
    c.text(stage)
        .text(&group.name)
        .text(&group.run.source)
        .text(&group.markers.join("\0"))
        .text(
            &group
                .files
                .as_ref()
                .map(|g| g.patterns.join("\0"))
                .unwrap_or_default(),
        )
        .text(&group.always.to_string())
        .text(&group.workers.to_string())
        .text(&format!("{:?}", group.timeout))
        .text(&format!("{:?}", group.ok_exit_codes))
        .text(&format!("{:?}", group.no_tests))
        .text(&group.retries.to_string())
        .text(&format!("{:?}", group.flaky_result))
        .text(&format!(
            "{:?}",
            group.inputs.as_ref().map(|g| g.patterns.clone())
        ))
        .text(&group.env_inputs.join("\0"))
        .text(&group.cache.to_string())
        // The same command in another folder is another run.
        .text(group.cwd.as_ref().map_or("", |c| c.as_str()))
        .field(
            group
                .coverage
                .as_ref()
                .map(|p| p.as_os_str().as_bytes())
                .unwrap_or_default(),
        );
    c.finish()
}

/// Compute a group's key.
pub(crate) fn compute(input: &KeyInput<'_>) -> Key {
    let mut command = Canonical::new("command");
    for argv in input.argvs {
        command.field(&(argv.len() as u64).to_le_bytes());
        for arg in argv {
            command.field(arg.as_bytes());
        }
    }

    let mut env = Canonical::new("environment");
    let mut pairs: Vec<(&[u8], Option<&[u8]>)> = input
        .env
        .iter()
        .map(|(k, v)| (k.as_bytes(), Some(v.as_bytes())))
        .collect();
    // A later `[env]` entry overrides an earlier one, as it does for the child.
    pairs.reverse();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    for (k, v) in pairs {
        env.field(b"env").field(k).field(v.unwrap_or_default());
    }
    for (name, value) in input.env_inputs {
        env.field(b"input").text(name);
        match value {
            Some(v) => env.field(b"set").field(v.as_bytes()),
            None => env.field(b"unset"),
        };
    }

    let mut program = Canonical::new("program");
    program
        .field(input.program.path.as_os_str().as_bytes())
        .field(&input.program.modified_ns.to_le_bytes())
        .field(&input.program.size.to_le_bytes());
    if let Some(toolchain) = &input.program.toolchain {
        program.field(b"toolchain").text(toolchain);
    }

    let mut version = Canonical::new("version");
    version.text(input.version);

    let parts: BTreeMap<String, String> = [
        ("command", command.finish()),
        ("environment", env.finish()),
        ("program", program.finish()),
        ("config", config_part(input.stage, input.group)),
        ("version", version.finish()),
        ("inputs", input.inputs.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();

    let mut all = Canonical::new("key");
    for (name, digest) in &parts {
        all.text(name).text(digest);
    }
    Key {
        digest: all.finish(),
        parts,
    }
}

/// The parts that differ between an earlier key and this one, in `PARTS` order.
pub(crate) fn changed_parts(earlier: &Key, now: &Key) -> Vec<&'static str> {
    PARTS
        .iter()
        .copied()
        .filter(|p| earlier.parts.get(*p) != now.parts.get(*p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CommandTemplate;
    use proptest::prelude::*;

    fn group() -> Group {
        crate::cache::tests::sample_group("pytest -q --junitxml {junit}")
    }

    fn file(path: &str, mode: u32, content: &[u8]) -> InputFile {
        InputFile {
            path: path.as_bytes().to_vec(),
            mode,
            id: git2::Oid::hash_object(git2::ObjectType::Blob, content).unwrap(),
            tracked: true,
        }
    }

    /// The raw material of a key, varied by the property tests.
    #[derive(Debug, Clone)]
    struct Material {
        stage: String,
        run: String,
        args: Vec<String>,
        env: Vec<(String, String)>,
        env_input: Option<String>,
        program: String,
        mtime: u64,
        size: u64,
        version: String,
        files: Vec<(String, bool, Vec<u8>)>,
        retries: u32,
        toolchain: Option<String>,
    }

    fn key_of(m: &Material) -> Key {
        let mut g = group();
        g.run = CommandTemplate::parse(&m.run).unwrap();
        g.retries = m.retries;
        let argvs = vec![m.args.iter().map(OsString::from).collect::<Vec<_>>()];
        let env: Vec<(OsString, OsString)> = m
            .env
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect();
        let env_inputs = vec![("TOKEN".to_owned(), m.env_input.as_ref().map(OsString::from))];
        let program = ProgramStamp {
            path: PathBuf::from(&m.program),
            modified_ns: u128::from(m.mtime),
            size: m.size,
            toolchain: m.toolchain.clone(),
        };
        let files: Vec<InputFile> = m
            .files
            .iter()
            .map(|(p, x, c)| file(p, if *x { 0o100_755 } else { 0o100_644 }, c))
            .collect();
        let inputs = inputs_digest(files.iter());
        compute(&KeyInput {
            stage: &m.stage,
            group: &g,
            argvs: &argvs,
            env: &env,
            env_inputs: &env_inputs,
            program: &program,
            version: &m.version,
            inputs: &inputs,
        })
    }

    fn material() -> impl Strategy<Value = Material> {
        (
            "[a-z]{1,6}",
            "[a-z]{1,6}( -[a-z])?",
            prop::collection::vec("[a-z ]{0,5}", 0..4),
            prop::collection::vec(("[A-Z]{1,3}", "[a-z]{0,3}"), 0..3),
            prop::option::of("[a-z]{0,4}"),
            "/[a-z]{1,5}",
            any::<u64>(),
            any::<u64>(),
            "[0-9]\\.[0-9]",
            prop::collection::vec(("[a-z]{1,3}", any::<bool>(), any::<Vec<u8>>()), 0..4),
            0u32..3,
            prop::option::of("[a-z]{0,6}"),
        )
            .prop_map(
                |(
                    stage,
                    run,
                    args,
                    env,
                    env_input,
                    program,
                    mtime,
                    size,
                    version,
                    files,
                    retries,
                    toolchain,
                )| {
                    let mut files = files;
                    files.sort_by(|a, b| a.0.cmp(&b.0));
                    files.dedup_by(|a, b| a.0 == b.0);
                    Material {
                        stage,
                        run,
                        args,
                        env,
                        env_input,
                        program,
                        mtime,
                        size,
                        version,
                        files,
                        retries,
                        toolchain,
                    }
                },
            )
    }

    /// One change to one part of the material, and the part it belongs to.
    fn mutate(m: &Material, which: u8, salt: u8) -> (Material, &'static str) {
        let mut m = m.clone();
        let x = char::from(b'A' + salt % 26);
        let part = match which % 12 {
            0 => {
                m.args.push(format!("{x}"));
                "command"
            }
            1 => {
                m.env.push((format!("NEW{x}"), "1".into()));
                "environment"
            }
            2 => {
                m.env_input = Some(match m.env_input {
                    Some(v) => format!("{v}{x}"),
                    None => String::new(),
                });
                "environment"
            }
            3 => {
                m.program.push('2');
                "program"
            }
            4 => {
                m.mtime = m.mtime.wrapping_add(1);
                "program"
            }
            5 => {
                m.size = m.size.wrapping_add(1);
                "program"
            }
            6 => {
                m.version.push('1');
                "version"
            }
            7 => {
                m.files.push(("zzzz".into(), false, vec![salt]));
                "inputs"
            }
            8 => {
                if let Some(f) = m.files.first_mut() {
                    f.2.push(salt);
                } else {
                    m.files.push(("a".into(), false, vec![]));
                }
                "inputs"
            }
            9 => {
                if let Some(f) = m.files.first_mut() {
                    f.1 = !f.1;
                } else {
                    m.files.push(("a".into(), true, vec![]));
                }
                "inputs"
            }
            10 => {
                m.retries += 1;
                "config"
            }
            _ => {
                m.toolchain = Some(match m.toolchain {
                    Some(t) => format!("{t}{x}"),
                    None => String::new(),
                });
                "program"
            }
        };
        (m, part)
    }

    proptest! {
        #[test]
        fn changing_nothing_hits(m in material()) {
            prop_assert_eq!(key_of(&m), key_of(&m.clone()));
        }

        #[test]
        fn changing_any_part_misses_and_names_that_part(m in material(), which in 0u8..12, salt in any::<u8>()) {
            let (changed, part) = mutate(&m, which, salt);
            let (a, b) = (key_of(&m), key_of(&changed));
            prop_assert_ne!(&a.digest, &b.digest);
            prop_assert_eq!(changed_parts(&a, &b), vec![part]);
        }
    }

    #[test]
    fn an_env_input_ending_in_a_star_is_every_variable_with_that_prefix() {
        let vars = || {
            [
                ("CARGO_TARGET_DIR", "t"),
                ("RUSTFLAGS", "-Dwarnings"),
                ("CARGO_BUILD_JOBS", "2"),
                ("CARGOX", "no"),
                ("PATH", "/bin"),
            ]
            .into_iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
        };
        let names = [
            "RUSTFLAGS".to_owned(),
            "CARGO_*".to_owned(),
            "UNSET".to_owned(),
        ];
        let values = env_input_values(&names, vars());
        let shown: Vec<(&str, Option<&str>)> = values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_ref().and_then(|v| v.to_str())))
            .collect();
        assert_eq!(
            shown,
            [
                ("RUSTFLAGS", Some("-Dwarnings")),
                ("CARGO_*", None),
                ("CARGO_BUILD_JOBS", Some("2")),
                ("CARGO_TARGET_DIR", Some("t")),
                ("UNSET", None),
            ]
        );
    }

    #[test]
    fn a_later_env_entry_overrides_an_earlier_one() {
        let m = Material {
            stage: "fast".into(),
            run: "pytest".into(),
            args: vec![],
            env: vec![("A".into(), "1".into()), ("A".into(), "2".into())],
            env_input: None,
            program: "/bin/pytest".into(),
            mtime: 1,
            size: 1,
            version: "0.1.0".into(),
            files: vec![],
            retries: 0,
            toolchain: None,
        };
        let mut same = m.clone();
        same.env = vec![("A".into(), "2".into())];
        assert_eq!(key_of(&m).digest, key_of(&same).digest);
    }
}

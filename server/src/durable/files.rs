//! The files behind `--state`: where they live (a symlinked path is followed once, at start),
//! and how they are replaced — a temporary file created exclusively (`O_EXCL`, an unpredictable
//! name, mode 0600) next to the target, written, fsynced, renamed over it, and the directory
//! fsynced. A planted file or symlink at a temporary name makes the write fail; it is never
//! followed.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Mode of every file scimock writes for `--state` (it holds passwords as clients sent them).
pub const MODE: u32 = 0o600;

/// The state file and the write log next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The path as given (`--state FILE`), for messages.
    pub given: PathBuf,
    /// The snapshot: `FILE`, or what it links to.
    pub snapshot: PathBuf,
    /// The write log: the snapshot's path + `.wal`.
    pub log: PathBuf,
    /// The directory both live in.
    pub dir: PathBuf,
}

impl Paths {
    /// Resolves `--state FILE`: a symlink is followed (to the file it names, which is then
    /// replaced in place: the link stays a link); a dangling link, or a path whose directory does
    /// not exist, is an error.
    pub fn resolve(given: &Path) -> io::Result<Paths> {
        let snapshot = match std::fs::symlink_metadata(given) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(given).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("it is a symlink whose target cannot be resolved ({e})"),
                )
            })?,
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is a directory",
                ));
            }
            Ok(_) => given.to_path_buf(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => given.to_path_buf(),
            Err(e) => return Err(e),
        };
        let dir = snapshot
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("its directory {} does not exist", dir.display()),
            ));
        }
        let mut log = snapshot.clone().into_os_string();
        log.push(".wal");
        Ok(Paths {
            given: given.to_path_buf(),
            snapshot,
            log: PathBuf::from(log),
            dir,
        })
    }

    /// Removes temporary files a crash left behind (`.NAME.tmp-*` next to the state file and its
    /// log). A symlink there is removed itself, never what it points to.
    pub fn remove_leftovers(&self) {
        let prefixes: Vec<String> = [&self.snapshot, &self.log]
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| format!(".{}.tmp-", n.to_string_lossy()))
            .collect();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// A temporary file next to `target`, created exclusively with mode 0600, renamed over the
/// target by [`Temp::commit`] and removed if dropped before.
#[derive(Debug)]
pub struct Temp {
    path: PathBuf,
    target: PathBuf,
    file: Option<BufWriter<File>>,
}

impl Temp {
    /// Creates `.NAME.tmp-RANDOM` in `target`'s directory (never an existing file or link).
    pub fn create(target: &Path) -> io::Result<Temp> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let path = dir.join(format!(".{name}.tmp-{}", uuid::Uuid::new_v4().simple()));
        let file = create_new(&path)?;
        Ok(Temp {
            path,
            target: target.to_path_buf(),
            file: Some(BufWriter::with_capacity(256 * 1024, file)),
        })
    }

    /// The buffered file, to write into.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        match &mut self.file {
            Some(f) => f,
            None => unreachable!("a committed temporary file is not written again"),
        }
    }

    /// Flushes, fsyncs, renames over the target and fsyncs the directory; returns the file, open
    /// and positioned at its end (the write log keeps appending to it).
    pub fn commit(mut self) -> io::Result<File> {
        let file = match self.file.take() {
            Some(w) => w.into_inner().map_err(|e| e.into_error())?,
            None => return Err(io::Error::other("temporary file already committed")),
        };
        file.sync_all()?;
        std::fs::rename(&self.path, &self.target)?;
        sync_dir(&self.target);
        Ok(file)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Opens a new file exclusively (fails if anything, a symlink included, is at `path`).
fn create_new(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(MODE);
    }
    o.open(path)
}

/// Fsyncs the directory holding `path`, so a rename survives a crash (best effort).
pub fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `target` atomically (see [`Temp`]).
pub fn replace(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut t = Temp::create(target)?;
    write(t.writer())?;
    t.commit().map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("scimock-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn replace_writes_a_private_file_and_leaves_no_temporary_behind() {
        let d = dir("replace");
        let target = d.join("state.json");
        replace(&target, |w| w.write_all(b"{}")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_state_path_is_followed_and_its_target_replaced() {
        let d = dir("link");
        let real = d.join("real.json");
        std::fs::write(&real, b"old").unwrap();
        let link = d.join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let p = Paths::resolve(&link).unwrap();
        assert_eq!(p.snapshot, std::fs::canonicalize(&real).unwrap());
        replace(&p.snapshot, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling")).unwrap();
        assert!(Paths::resolve(&d.join("dangling")).is_err());
    }
}

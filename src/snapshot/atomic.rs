//! Atomic, durable file writes: a save either replaces the file completely or leaves the old
//! one as it was.
//!
//! [`write_atomically`] writes the new bytes to a temporary file in the target's directory,
//! flushes and syncs it, closes it, renames it over the target and syncs the directory. The
//! rename is the commit point: before it the target is untouched, after it the target is the
//! complete new file. Readers never see a partial file, and neither does a crash, as long as
//! the platform's sync calls do what they promise.
//!
//! # What `Ok` guarantees
//!
//! `Ok` means the new bytes are what `path` names, and that they have been handed to the
//! platform's strongest "make this durable" call. Per platform:
//!
//! - **Linux and other unix:** the temporary file is synced with `fsync` (`File::sync_all`),
//!   `rename` replaces the target atomically, and the directory is opened and `fsync`ed so the
//!   rename itself survives a power loss. A drive that acknowledges writes it only holds in a
//!   volatile cache can still lose them; fsync cannot help with that.
//! - **macOS and iOS:** the same steps. There `fsync` alone does not flush the drive's cache,
//!   but std's `File::sync_all` does not call `fsync` on Apple targets: it calls
//!   `fcntl(fd, F_FULLFSYNC)` (`os_fsync` in std's `library/std/src/sys/fs/unix.rs`, checked
//!   for Rust 1.95), which does. So both the file sync and the directory sync are full syncs;
//!   this module adds no call of its own.
//! - **Windows:** the file is flushed (`sync_all` is `FlushFileBuffers`) and renamed over the
//!   target with replace semantics (`std::fs::rename`: `SetFileInformationByHandle` with
//!   POSIX-style replace where the file system supports it, else `MoveFileExW` with
//!   `MOVEFILE_REPLACE_EXISTING`). A directory cannot be synced, so that step does nothing:
//!   `Ok` means the new content is flushed and in place, but the rename's durability rests on
//!   the file system's own metadata journal, and a power loss right after `Ok` may bring the
//!   old file back (the old one or the new one, complete, never a mix). The rename fails when
//!   another process holds the target open without delete sharing (many programs open files
//!   that way; std's own `File::open` does share delete): the error comes back, the temporary
//!   file is removed, and the old file stays as it was.
//! - **Other platforms** (not unix, not Windows): as on Windows, no directory sync.
//!
//! # What a failure leaves behind
//!
//! - An error before the rename (writing, flushing, syncing, renaming): the target is
//!   untouched and the temporary file is removed (best effort: a failure to remove it is
//!   ignored, the first error is the one returned). A panic in the caller's writer removes it
//!   too and then goes on unwinding.
//! - An error syncing the directory, after the rename: the target already holds the new save,
//!   complete and readable, but it may not survive a power loss. The error is returned anyway,
//!   because `Ok` must mean durable.
//! - A crash or power loss can leave a stray temporary file beside the target, named
//!   `.<file name>.<pid>.<n>.tmp` (hidden on unix); it is safe to delete.
//!
//! The new file gets default permissions for a new file: the old file's permissions are not
//! copied, and a symbolic link at `path` is replaced by the new file rather than followed.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The writer handed to the caller buffers this much: snapshots are written in many small
/// pieces, and each unbuffered write would be a system call.
const BUFFER_SIZE: usize = 64 * 1024;

/// Numbers temporary files so that two saves in one process never pick the same name (the
/// pid tells processes apart).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The file-system operations a save needs: [`StdFs`] in the crate, a simulated disk that can
/// fail or lose power at any step in the tests.
pub(crate) trait FileSystem {
    /// An open file, written through [`io::Write`].
    type File: io::Write;
    /// Creates a new file for writing; fails if `path` already exists.
    fn create_new(&self, path: &Path) -> io::Result<Self::File>;
    /// Flushes the file's content and metadata to the disk (`sync_all`).
    fn sync(&self, file: &mut Self::File) -> io::Result<()>;
    /// Renames `from` to `to`, atomically replacing `to` if it exists.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Makes the directory's entries (a rename in it) durable; does nothing where a directory
    /// cannot be synced (Windows).
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove(&self, path: &Path) -> io::Result<()>;
}

/// The real file system, through `std::fs`.
#[allow(dead_code)] // used by the snapshot module (being written)
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct StdFs;

impl FileSystem for StdFs {
    type File = File;

    fn create_new(&self, path: &Path) -> io::Result<File> {
        OpenOptions::new().write(true).create_new(true).open(path)
    }

    fn sync(&self, file: &mut File) -> io::Result<()> {
        file.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    #[cfg(unix)]
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    #[cfg(not(unix))]
    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        // Windows has no way to sync a directory through std; see the module docs.
        Ok(())
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }
}

/// Writes the file at `path` as `write` produces it, atomically: afterwards `path` holds either
/// its old content (on `Err`, except as below) or exactly what `write` wrote (on `Ok`), never a
/// mix, also after a crash.
///
/// `write` gets a buffered writer over a temporary file in `path`'s directory. When it returns
/// `Ok`, the buffer is flushed, the file synced and closed, renamed over `path`, and the
/// directory synced; `Ok` means all of that succeeded (what that guarantees on each platform
/// is in the [module docs](self)).
///
/// # Errors
///
/// The first error of `write` or of a file-system step, converted into `E`; the temporary file
/// is removed and `path` is untouched. One exception: if only the final directory sync fails,
/// `path` already holds the complete new file, which may not survive a power loss.
/// A `path` with no file name (`/`, `..`) is an [`io::ErrorKind::InvalidInput`] error.
///
/// # Panics
///
/// If `write` panics, the temporary file is removed and the panic goes on; `path` is untouched.
#[allow(dead_code)] // used by the snapshot module (being written)
pub(crate) fn write_atomically<F: FileSystem, E: From<io::Error>>(
    fs: &F,
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> Result<(), E>,
) -> Result<(), E> {
    let temp = temp_path(path)?;
    let file = fs.create_new(&temp)?;
    // Declared before the writer, so dropped after it: the file is closed before its removal
    // (Windows cannot remove an open file right away).
    let guard = RemoveOnDrop {
        fs,
        path: &temp,
        armed: true,
    };
    let mut out = BufWriter::with_capacity(BUFFER_SIZE, file);
    let written = write(&mut out).and_then(|()| out.flush().map_err(E::from));
    // `into_parts`, unlike `into_inner` or a drop, does not flush again: after a failure the
    // unwritten bytes go with the temporary file.
    let (mut file, _unwritten) = out.into_parts();
    written?;
    fs.sync(&mut file)?;
    drop(file);
    fs.rename(&temp, path)?;
    guard.disarm();
    // After the rename the new file is in place; this makes the rename itself durable.
    fs.sync_dir(parent_dir(path))?;
    Ok(())
}

/// The temporary file for a save to `path`: `.<file name>.<pid>.<n>.tmp` in the same directory,
/// since a rename is only atomic within one file system.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "cannot save to {}: the path has no file name",
                path.display()
            ),
        )
    })?;
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut temp = OsString::from(".");
    temp.push(name);
    temp.push(format!(".{}.{n}.tmp", std::process::id()));
    Ok(path.with_file_name(temp))
}

/// The directory holding `path`, `.` for a bare file name (whose parent is `""`).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Removes the temporary file when dropped, on an early return or a panic, unless disarmed
/// once the rename has consumed it.
struct RemoveOnDrop<'a, F: FileSystem> {
    fs: &'a F,
    path: &'a Path,
    armed: bool,
}

impl<F: FileSystem> RemoveOnDrop<'_, F> {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl<F: FileSystem> Drop for RemoveOnDrop<'_, F> {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: the error being returned (or the panic) is the one that matters.
            let _ = self.fs.remove(self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::{BTreeMap, BTreeSet};
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::rc::Rc;

    /// What a simulated operation was, to tell which step an injected failure hit.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Op {
        Create,
        Write,
        Sync,
        Rename,
        SyncDir,
        Remove,
    }

    /// A file's bytes: what a reader sees, and what is known to be on the disk.
    #[derive(Default)]
    struct Inode {
        data: Vec<u8>,
        durable: Vec<u8>,
    }

    /// An in-memory disk with one directory level. Every operation counts; any one can be
    /// made to fail, and the machine can "lose power" after any one.
    #[derive(Default)]
    struct Disk {
        /// Never freed: a durable name may still point at a file that no visible name does.
        inodes: Vec<Inode>,
        dirs: BTreeSet<PathBuf>,
        /// The names a running program sees.
        names: BTreeMap<PathBuf, usize>,
        /// The names that survive a power loss: updated only by a sync of their directory.
        durable_names: BTreeMap<PathBuf, usize>,
        log: Vec<Op>,
        fail: BTreeSet<usize>,
        /// After this many operations the power is gone: every later one fails, changing nothing.
        crash_after: Option<usize>,
        created: Vec<PathBuf>,
    }

    impl Disk {
        /// Counts an operation and says whether it may go ahead.
        fn op(&mut self, op: Op) -> io::Result<()> {
            self.log.push(op);
            let n = self.log.len();
            if self.crash_after.is_some_and(|after| n > after) {
                return Err(io::Error::other("the power is off"));
            }
            if self.fail.contains(&n) {
                return Err(io::Error::other(format!("injected failure of op {n}")));
            }
            Ok(())
        }

        fn visible(&self, path: &str) -> Option<&[u8]> {
            let &inode = self.names.get(Path::new(path))?;
            Some(&self.inodes[inode].data)
        }

        fn temp_files(&self) -> Vec<&PathBuf> {
            let tmp = |p: &&PathBuf| p.extension().is_some_and(|e| e == "tmp");
            self.names.keys().filter(tmp).collect()
        }

        /// Every content `path` may have after a power loss now: no file, or a file's synced
        /// bytes, all its bytes, or half of them (a torn write). A name whose directory was not
        /// synced since it changed may come back as either its old or its new binding.
        fn after_crash(&self, path: &str) -> BTreeSet<Option<Vec<u8>>> {
            let path = Path::new(path);
            let bindings = [self.durable_names.get(path), self.names.get(path)];
            let mut outcomes = BTreeSet::new();
            for binding in bindings {
                let Some(&inode) = binding else {
                    outcomes.insert(None);
                    continue;
                };
                let Inode { data, durable } = &self.inodes[inode];
                outcomes.insert(Some(durable.clone()));
                if data != durable {
                    outcomes.insert(Some(data.clone()));
                    outcomes.insert(Some(data[..data.len() / 2].to_vec()));
                }
            }
            outcomes
        }
    }

    #[derive(Clone)]
    struct SimFs(Rc<RefCell<Disk>>);

    /// At most this much goes through one write call, so a save takes several write ops.
    const MAX_WRITE: usize = 16 * 1024;

    struct SimFile {
        disk: Rc<RefCell<Disk>>,
        inode: usize,
    }

    impl io::Write for SimFile {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut disk = self.disk.borrow_mut();
            disk.op(Op::Write)?;
            let n = buf.len().min(MAX_WRITE);
            disk.inodes[self.inode].data.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    const DIR: &str = "/d";
    const TARGET: &str = "/d/save.bin";

    impl SimFs {
        /// A disk with the directory `/d`, and `/d/save.bin` holding `old` (durably) if given.
        fn new(old: Option<&[u8]>) -> Self {
            let mut disk = Disk::default();
            disk.dirs.insert(PathBuf::from(DIR));
            if let Some(old) = old {
                disk.inodes.push(Inode {
                    data: old.to_vec(),
                    durable: old.to_vec(),
                });
                disk.names.insert(PathBuf::from(TARGET), 0);
                disk.durable_names.insert(PathBuf::from(TARGET), 0);
            }
            SimFs(Rc::new(RefCell::new(disk)))
        }
    }

    impl FileSystem for SimFs {
        type File = SimFile;

        fn create_new(&self, path: &Path) -> io::Result<SimFile> {
            let mut disk = self.0.borrow_mut();
            disk.op(Op::Create)?;
            if !path.parent().is_some_and(|dir| disk.dirs.contains(dir)) {
                return Err(io::ErrorKind::NotFound.into());
            }
            if disk.names.contains_key(path) {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            let inode = disk.inodes.len();
            disk.inodes.push(Inode::default());
            disk.names.insert(path.to_path_buf(), inode);
            disk.created.push(path.to_path_buf());
            Ok(SimFile {
                disk: Rc::clone(&self.0),
                inode,
            })
        }

        fn sync(&self, file: &mut SimFile) -> io::Result<()> {
            let mut disk = self.0.borrow_mut();
            disk.op(Op::Sync)?;
            let inode = &mut disk.inodes[file.inode];
            inode.durable = inode.data.clone();
            Ok(())
        }

        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            let mut disk = self.0.borrow_mut();
            disk.op(Op::Rename)?;
            if from.parent() != to.parent() {
                // Across directories a rename may cross file systems, and is not atomic.
                return Err(io::ErrorKind::CrossesDevices.into());
            }
            let inode = disk.names.remove(from).ok_or(io::ErrorKind::NotFound)?;
            disk.names.insert(to.to_path_buf(), inode);
            Ok(())
        }

        fn sync_dir(&self, dir: &Path) -> io::Result<()> {
            let mut disk = self.0.borrow_mut();
            disk.op(Op::SyncDir)?;
            let disk = &mut *disk;
            let in_dir = |path: &PathBuf| path.parent() == Some(dir);
            disk.durable_names.retain(|path, _| !in_dir(path));
            for (path, &inode) in disk.names.iter().filter(|(path, _)| in_dir(path)) {
                disk.durable_names.insert(path.clone(), inode);
            }
            Ok(())
        }

        fn remove(&self, path: &Path) -> io::Result<()> {
            let mut disk = self.0.borrow_mut();
            disk.op(Op::Remove)?;
            disk.names.remove(path).ok_or(io::ErrorKind::NotFound)?;
            Ok(())
        }
    }

    fn old_bytes() -> Vec<u8> {
        (0..10_000u32).map(|i| (i % 251) as u8).collect()
    }

    /// Bigger than the 64 KiB buffer, so the writer flushes more than once.
    fn new_bytes() -> Vec<u8> {
        (0..150_000u32).map(|i| (i % 241) as u8 ^ 0x55).collect()
    }

    /// Saves `new_bytes()` in small pieces, as a serializer would.
    fn save(fs: &SimFs, path: &str) -> io::Result<()> {
        write_atomically(fs, Path::new(path), |out| {
            new_bytes()
                .chunks(1000)
                .try_for_each(|piece| out.write_all(piece))
        })
    }

    #[test]
    fn a_save_creates_or_replaces_the_file() {
        for old in [None, Some(&old_bytes()[..])] {
            let fs = SimFs::new(old);
            save(&fs, TARGET).unwrap();
            let disk = fs.0.borrow();
            assert_eq!(disk.visible(TARGET), Some(&new_bytes()[..]));
            assert!(disk.temp_files().is_empty());
            assert!(disk.log.iter().filter(|&&op| op == Op::Write).count() > 2);
        }
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_old_file_and_no_temp_file() {
        let (old, new) = (old_bytes(), new_bytes());
        for n in 1.. {
            assert!(n < 100, "the save never succeeded");
            let fs = SimFs::new(Some(&old));
            fs.0.borrow_mut().fail.insert(n);
            let result = save(&fs, TARGET);
            let disk = fs.0.borrow();
            assert!(
                disk.temp_files().is_empty(),
                "op {n} failed, a temp file is left"
            );
            let Err(err) = result else {
                assert!(disk.log.len() < n, "op {n} failed but the save returned Ok");
                assert_eq!(disk.visible(TARGET), Some(&new[..]));
                break;
            };
            assert_eq!(err.to_string(), format!("injected failure of op {n}"));
            let expected = match disk.log[n - 1] {
                // The rename is done: the new file is in place, just not known to be durable.
                Op::SyncDir => &new,
                _ => &old,
            };
            assert_eq!(disk.visible(TARGET), Some(&expected[..]), "op {n} failed");
        }
    }

    #[test]
    fn a_failure_to_remove_the_temp_file_keeps_the_first_error() {
        let fs = SimFs::new(Some(&old_bytes()));
        save(&fs, TARGET).unwrap();
        let ops = fs.0.borrow().log.clone();
        let sync = ops.iter().position(|&op| op == Op::Sync).unwrap() + 1;

        let fs = SimFs::new(Some(&old_bytes()));
        fs.0.borrow_mut().fail.extend([sync, sync + 1]);
        let err = save(&fs, TARGET).unwrap_err();
        assert_eq!(err.to_string(), format!("injected failure of op {sync}"));
        let disk = fs.0.borrow();
        assert_eq!(disk.log[sync], Op::Remove, "the temp file was not removed");
        assert_eq!(disk.visible(TARGET), Some(&old_bytes()[..]));
    }

    #[test]
    fn a_crash_after_any_step_leaves_the_old_or_the_new_file() {
        let (old, new) = (old_bytes(), new_bytes());
        for had_old in [true, false] {
            for n in 0.. {
                assert!(n < 100, "the save never succeeded");
                let fs = SimFs::new(had_old.then_some(&old[..]));
                fs.0.borrow_mut().crash_after = Some(n);
                let result = save(&fs, TARGET);
                let outcomes = fs.0.borrow().after_crash(TARGET);
                let before = if had_old { Some(old.clone()) } else { None };
                for outcome in &outcomes {
                    let partial = outcome.as_ref().map(Vec::len);
                    assert!(
                        *outcome == before || *outcome == Some(new.clone()),
                        "crash after op {n} (old file: {had_old}): {partial:?} bytes",
                    );
                }
                if result.is_ok() {
                    // Ok means durable: every crash from here on keeps the new file.
                    assert_eq!(outcomes, BTreeSet::from([Some(new.clone())]), "after Ok");
                    break;
                }
            }
        }
    }

    #[test]
    fn the_temp_file_is_a_fresh_hidden_sibling() {
        let fs = SimFs::new(None);
        save(&fs, TARGET).unwrap();
        save(&fs, TARGET).unwrap();
        let disk = fs.0.borrow();
        let [first, second] = &disk.created[..] else {
            panic!("expected two temp files, got {:?}", disk.created);
        };
        assert_ne!(first, second);
        let prefix = format!(".save.bin.{}.", std::process::id());
        for temp in [first, second] {
            assert_eq!(temp.parent(), Some(Path::new(DIR)));
            let name = temp.file_name().unwrap().to_str().unwrap();
            let n = name
                .strip_prefix(&prefix)
                .and_then(|n| n.strip_suffix(".tmp"));
            assert!(n.is_some_and(|n| n.parse::<u64>().is_ok()), "{name}");
        }
    }

    #[test]
    fn a_path_without_a_file_name_is_invalid_input() {
        for path in ["/", "..", "/d/..", "."] {
            let fs = SimFs::new(None);
            let result = write_atomically(&fs, Path::new(path), |_| Ok::<(), io::Error>(()));
            assert_eq!(
                result.unwrap_err().kind(),
                io::ErrorKind::InvalidInput,
                "{path}"
            );
            assert!(fs.0.borrow().log.is_empty());
        }
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_directory() {
        assert_eq!(parent_dir(Path::new("save.bin")), Path::new("."));
        assert_eq!(parent_dir(Path::new("a/save.bin")), Path::new("a"));
        assert_eq!(parent_dir(Path::new("/save.bin")), Path::new("/"));
    }

    /// A fresh directory under the system's temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(test: &str) -> Self {
            static N: AtomicU64 = AtomicU64::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let name = format!("relstore-atomic-{}-{test}-{n}", std::process::id());
            let dir = std::env::temp_dir().join(name);
            fs::create_dir(&dir).unwrap();
            TempDir(dir)
        }

        /// The names in the directory.
        fn list(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn real_files_a_save_replaces_the_file() {
        let dir = TempDir::new("replace");
        let path = dir.0.join("save.bin");
        write_atomically(&StdFs, &path, |out| out.write_all(&old_bytes())).unwrap();
        assert_eq!(fs::read(&path).unwrap(), old_bytes());
        write_atomically(&StdFs, &path, |out| out.write_all(&new_bytes())).unwrap();
        assert_eq!(fs::read(&path).unwrap(), new_bytes());
        assert_eq!(dir.list(), ["save.bin"]);
    }

    #[test]
    fn real_files_a_failed_write_leaves_the_old_file() {
        let dir = TempDir::new("fail");
        let path = dir.0.join("save.bin");
        fs::write(&path, old_bytes()).unwrap();
        let result = write_atomically(&StdFs, &path, |out| {
            out.write_all(&new_bytes())?;
            Err(io::Error::other("the serializer gave up"))
        });
        assert_eq!(result.unwrap_err().to_string(), "the serializer gave up");
        assert_eq!(fs::read(&path).unwrap(), old_bytes());
        assert_eq!(dir.list(), ["save.bin"]);
    }

    #[test]
    fn real_files_a_panicking_write_leaves_the_old_file() {
        let dir = TempDir::new("panic");
        let path = dir.0.join("save.bin");
        fs::write(&path, old_bytes()).unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| {
            write_atomically(&StdFs, &path, |out| -> io::Result<()> {
                out.write_all(b"half a save")?;
                panic!("the serializer panicked (on purpose, in a test)");
            })
        }));
        assert!(result.is_err());
        assert_eq!(fs::read(&path).unwrap(), old_bytes());
        assert_eq!(dir.list(), ["save.bin"]);
    }

    #[test]
    fn real_files_a_missing_directory_or_no_file_name_is_an_error() {
        let dir = TempDir::new("missing");
        let path = dir.0.join("no such dir").join("save.bin");
        let err = write_atomically(&StdFs, &path, |out| out.write_all(b"x")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let err = write_atomically(&StdFs, Path::new("/"), |out| out.write_all(b"x")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(dir.list().is_empty());
    }
}

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

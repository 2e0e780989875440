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
mod tests;

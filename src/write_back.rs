//! Writing a fixed file back, carefully: only if it is still what was read,
//! through a temporary file in the same directory (so the rename is atomic),
//! flushed to disk, with the original's permissions.

use std::io::Write;
use std::path::Path;

use crate::discover::io_message;

pub fn write_atomically(path: &Path, original: &[u8], fixed: &str) -> Result<(), String> {
    let current = std::fs::read(path).map_err(|e| format!("cannot read it again: {}", io_message(&e)))?;
    if current != original {
        return Err("it changed since it was read, so the fixes were not written".to_string());
    }
    let permissions = std::fs::metadata(path).map_err(|e| io_message(&e))?.permissions();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot create a temporary file: {}", io_message(&e)))?;
    temp.write_all(fixed.as_bytes())
        .and_then(|_| temp.flush())
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| format!("cannot write the temporary file: {}", io_message(&e)))?;
    std::fs::set_permissions(temp.path(), permissions).map_err(|e| io_message(&e))?;
    temp.persist(path)
        .map_err(|e| format!("cannot replace the file: {}", io_message(&e.error)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_since_it_was_read_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, "edited meanwhile").unwrap();
        let err = write_atomically(&path, b"what was linted", "fixed").unwrap_err();
        assert!(err.contains("changed since it was read"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited meanwhile");
        std::fs::write(&path, "what was linted").unwrap();
        write_atomically(&path, b"what was linted", "fixed").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "fixed");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}

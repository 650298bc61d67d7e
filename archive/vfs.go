package archive

import (
	"os"

	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
	"github.com/ncruces/go-sqlite3/vfs/adiantum"
)

// vfsName is the VFS archives are opened with: the adiantum encrypting VFS
// over the default one, with every file SQLite creates (the database, its
// write-ahead log, its rollback journal) made private (0600). The default
// VFS creates files with mode 0666 less the umask; the shared-memory index
// (-shm, no message content) is created 0600 by Open before SQLite runs.
const vfsName = "palisade-adiantum"

func init() {
	vfs.Register(vfsName, adiantum.Wrap(privateFiles{vfs.Find("")}, nil))
}

// privateFiles is a VFS that chmods the files it creates to 0600.
type privateFiles struct{ vfs.VFS }

func (p privateFiles) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, out, err := vfsutil.WrapOpenFilename(p.VFS, name, flags)
	if err == nil && name != nil && flags&vfs.OPEN_CREATE != 0 {
		if path := name.String(); path != "" {
			_ = os.Chmod(path, 0o600)
		}
	}
	return f, out, err
}

package dataprep

import (
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RemoteFile is one file of the official PCam release.
type RemoteFile struct {
	Name     string // file name as published, e.g. camelyonpatch_level_2_split_train_x.h5.gz
	MD5      string // MD5 of the published (gzip) file
	DriveID  string // Google Drive file ID of the authors' folder (manual fallback)
	ApproxMB int    // compressed size, for messages
}

// PCamFiles are the six files of PCam v1 (Veeling et al. 2018), with the
// checksums from the authors' README (github.com/basveeling/pcam).
var PCamFiles = []RemoteFile{
	{"camelyonpatch_level_2_split_train_x.h5.gz", "1571f514728f59376b705fc836ff4b63", "1Ka0XfEMiwgCYPdTI-vv6eUElOBnKFKQ2", 6400},
	{"camelyonpatch_level_2_split_train_y.h5.gz", "35c2d7259d906cfc8143347bb8e05be7", "1269yhu3pZDP8UYFQs-NYs3FPwuK-nGSG", 1},
	{"camelyonpatch_level_2_split_valid_x.h5.gz", "d5b63470df7cfa627aeec8b9dc0c066e", "1hgshYGWK8V-eGRy8LToWJJgDU_rXWVJ3", 806},
	{"camelyonpatch_level_2_split_valid_y.h5.gz", "2b85f58b927af9964a4c15b8f7e8f179", "1bH8ZRbhSVAhScTS0p9-ZzGnX91cHT3uO", 1},
	{"camelyonpatch_level_2_split_test_x.h5.gz", "d8c2d60d490dbd479f8199bdfa0cf6ec", "1qV65ZqZvWzuIVthK8eVDhIwrbnsJdbg_", 801},
	{"camelyonpatch_level_2_split_test_y.h5.gz", "60a7035772fbdb7f34eb86d4420cf66a", "17BHrSrwWKjYsOgTMmoqrIjDy6Fa2o_gP", 1},
}

// PCamMirror is the Zenodo record of PCam; {name} is replaced by the file name.
const PCamMirror = "https://zenodo.org/records/2546921/files/{name}?download=1"

// FetchOptions configures Fetch.
type FetchOptions struct {
	Mirror  string       // URL template with {name} (default PCamMirror)
	Files   []RemoteFile // files to fetch (default PCamFiles)
	Client  *http.Client // default: 30 s to connect and get headers
	Log     io.Writer    // progress lines (default none)
	Context context.Context
}

// Fetch downloads the PCam files into dir, checks each MD5 and gunzips it to
// the .h5 name the rest of pcamgo expects. Files already present as .h5 are
// skipped. Each file goes through a temporary file, so a failed or
// interrupted download leaves nothing behind; offline it fails fast with a
// message saying where to get the files by hand.
func Fetch(dir string, o FetchOptions) error {
	if o.Mirror == "" {
		o.Mirror = PCamMirror
	}
	if o.Files == nil {
		o.Files = PCamFiles
	}
	if o.Client == nil {
		o.Client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ResponseHeaderTimeout: 30 * time.Second,
			TLSHandshakeTimeout:   15 * time.Second,
		}}
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	for _, f := range o.Files {
		out := filepath.Join(dir, strings.TrimSuffix(f.Name, ".gz"))
		if _, err := os.Stat(out); err == nil {
			fmt.Fprintf(o.Log, "%s: already present, skipped\n", out)
			continue
		}
		url := strings.ReplaceAll(o.Mirror, "{name}", f.Name)
		fmt.Fprintf(o.Log, "downloading %s (~%d MB)\n", url, f.ApproxMB)
		if err := fetchOne(o, url, f, out); err != nil {
			return err
		}
		fmt.Fprintf(o.Log, "%s: MD5 ok, decompressed\n", out)
	}
	return nil
}

func fetchOne(o FetchOptions, url string, f RemoteFile, out string) error {
	req, err := http.NewRequestWithContext(o.Context, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: cannot download (offline?): %v; get it by hand from %s or Google Drive file %s, put it in %s and gunzip it",
			f.Name, err, url, f.DriveID, filepath.Dir(out))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: %s answered %s", f.Name, url, resp.Status)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	sum := md5.New()
	zr, err := gzip.NewReader(io.TeeReader(resp.Body, sum))
	if err != nil {
		return fmt.Errorf("fetch %s: not a gzip stream: %w", f.Name, err)
	}
	if _, err := io.Copy(tmp, zr); err != nil {
		return fmt.Errorf("fetch %s: download or gunzip failed: %w", f.Name, err)
	}
	// Drain anything after the gzip stream so the MD5 covers the whole file.
	if _, err := io.Copy(io.Discard, io.TeeReader(resp.Body, sum)); err != nil {
		return fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); f.MD5 != "" && got != f.MD5 {
		return fmt.Errorf("fetch %s: MD5 %s, want %s (corrupt or changed download; nothing written)", f.Name, got, f.MD5)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	os.Chmod(tmp.Name(), 0o644)
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	return nil
}

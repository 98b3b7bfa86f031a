package dataprep

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFetch(t *testing.T) {
	payload := []byte("pretend this is camelyonpatch_level_2_split_valid_y.h5")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(payload)
	zw.Close()
	sum := md5.Sum(gz.Bytes())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/ok.h5.gz") || strings.HasSuffix(r.URL.Path, "/bad.h5.gz") {
			w.Write(gz.Bytes())
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	mirror := srv.URL + "/files/{name}"
	tests := []struct {
		name string
		file RemoteFile
		want string // "" = success
	}{
		{"ok", RemoteFile{Name: "ok.h5.gz", MD5: hex.EncodeToString(sum[:])}, ""},
		{"md5 mismatch", RemoteFile{Name: "bad.h5.gz", MD5: "00000000000000000000000000000000"}, "MD5"},
		{"404", RemoteFile{Name: "missing.h5.gz"}, "404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := Fetch(dir, FetchOptions{Mirror: mirror, Files: []RemoteFile{tc.file}})
			out := filepath.Join(dir, strings.TrimSuffix(tc.file.Name, ".gz"))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				got, _ := os.ReadFile(out)
				if !bytes.Equal(got, payload) {
					t.Fatal("gunzipped content differs")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
}

func TestFetchOffline(t *testing.T) {
	// A port nobody listens on stands for "no network".
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	start := time.Now()
	err := Fetch(dir, FetchOptions{Mirror: "http://" + addr + "/{name}", Files: PCamFiles[:1]})
	if err == nil || !strings.Contains(err.Error(), "offline?") || !strings.Contains(err.Error(), PCamFiles[0].Name) {
		t.Fatalf("error %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("offline fetch took too long to fail")
	}
}

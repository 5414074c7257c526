// Command trivy-test-db writes a small Trivy vulnerability database from a JSON list of
// advisories, so that tests (and rehearsals of the release) can run the real Trivy without the
// database Trivy downloads, which this machine cannot reach.
//
// Usage: trivy-test-db --cache-dir DIR [advisories.json]   (the list is read from stdin without a file)
//
// The list: [{"id": "CVE-2099-0001", "source": "debian 12", "package": "glibc",
// "severity": "CRITICAL", "fixedVersion": "99.0", "title": "..."}]. "source" is the bucket Trivy
// looks advisories up in ("debian 12", "alpine 3.20", ...); Debian advisories are keyed by the
// source package (glibc), not the binary package (libc6). Packages of a language ecosystem are
// looked up in every bucket named "<ecosystem>::..." ("npm::test") and matched by version ranges:
// "vulnerableVersions": ["<1.3.0"], "patchedVersions": ["1.3.0"]. "vendor" (default: the first
// word of "source") is the key of the vendor severity Trivy reports.
//
// It writes DIR/db/trivy.db and DIR/db/metadata.json; pass DIR to trivy as --cache-dir. The
// metadata says the database was just downloaded and is due for update in a day, as a fresh
// download would, so Trivy uses it as it is.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	bolt "go.etcd.io/bbolt"
)

type advisory struct {
	ID           string `json:"id"`
	Source       string `json:"source"`
	Package      string `json:"package"`
	Severity     string `json:"severity"`
	FixedVersion string `json:"fixedVersion"`
	Title        string `json:"title"`
	Vendor       string `json:"vendor"`
	// Version ranges of a language package (npm, pip...), as Trivy's language advisories state them.
	VulnerableVersions []string `json:"vulnerableVersions"`
	PatchedVersions    []string `json:"patchedVersions"`
}

var vulnerabilityID = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*-[0-9A-Za-z][0-9A-Za-z.:-]*$`)

// parseAdvisories reads the list strictly: unknown fields and missing values are errors that
// name the entry and the field, so a typo never yields a database without the advisory.
func parseAdvisories(input []byte, name string) ([]advisory, error) {
	decoder := json.NewDecoder(bytes.NewReader(input))
	decoder.DisallowUnknownFields()
	var list []advisory
	if err := decoder.Decode(&list); err != nil {
		return nil, fmt.Errorf("%s: not a JSON list of advisories: %w", name, err)
	}
	for i, a := range list {
		where := fmt.Sprintf("%s: [%d]", name, i)
		switch {
		case !vulnerabilityID.MatchString(a.ID):
			return nil, fmt.Errorf("%s.id: %q is not a vulnerability id such as CVE-2099-0001", where, a.ID)
		case strings.TrimSpace(a.Source) == "":
			return nil, fmt.Errorf(`%s.source: missing; give the Trivy bucket, e.g. "debian 12"`, where)
		case strings.TrimSpace(a.Package) == "":
			return nil, fmt.Errorf("%s.package: missing; for Debian give the source package (glibc, not libc6)", where)
		case strings.Contains(a.Source, "::") && len(a.VulnerableVersions) == 0:
			return nil, fmt.Errorf(`%s.vulnerableVersions: missing; a language package needs its ranges, e.g. ["<1.3.0"]`, where)
		}
		if _, err := types.NewSeverity(a.Severity); err != nil {
			return nil, fmt.Errorf("%s.severity: %q is not one of %s", where, a.Severity, strings.Join(types.SeverityNames, ", "))
		}
		if a.Vendor == "" {
			list[i].Vendor = strings.Fields(a.Source)[0]
		}
	}
	return list, nil
}

func write(cacheDir string, list []advisory, now time.Time) error {
	dbDir := filepath.Join(cacheDir, "db")
	if _, err := os.Stat(db.Path(dbDir)); err == nil {
		return fmt.Errorf("%s already exists; give a new cache folder", db.Path(dbDir))
	}
	if err := db.Init(dbDir); err != nil {
		return err
	}
	config := db.Config{}
	err := config.BatchUpdate(func(tx *bolt.Tx) error {
		for _, a := range list {
			severity, _ := types.NewSeverity(a.Severity)
			source := types.DataSource{ID: types.SourceID(a.Vendor), Name: a.Vendor + " (test database)"}
			if err := config.PutDataSource(tx, a.Source, source); err != nil {
				return err
			}
			advisory := types.Advisory{
				FixedVersion:       a.FixedVersion,
				VulnerableVersions: a.VulnerableVersions,
				PatchedVersions:    a.PatchedVersions,
			}
			if err := config.PutAdvisory(tx, []string{a.Source, a.Package}, a.ID, advisory); err != nil {
				return err
			}
			vulnerability := types.Vulnerability{
				Title:          a.Title,
				Severity:       a.Severity,
				VendorSeverity: types.VendorSeverity{types.SourceID(a.Vendor): severity},
			}
			if err := config.PutVulnerability(tx, a.ID, vulnerability); err != nil {
				return err
			}
		}
		return nil
	})
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	return metadata.NewClient(dbDir).Update(metadata.Metadata{
		Version:      db.SchemaVersion,
		NextUpdate:   now.Add(24 * time.Hour),
		UpdatedAt:    now,
		DownloadedAt: now,
	})
}

func run(args []string, stdin io.Reader) error {
	flags := flag.NewFlagSet("trivy-test-db", flag.ContinueOnError)
	cacheDir := flags.String("cache-dir", "", "the Trivy cache folder to write (its db/ subfolder)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *cacheDir == "" || flags.NArg() > 1 {
		return errors.New("usage: trivy-test-db --cache-dir DIR [advisories.json]")
	}
	name := "stdin"
	var input []byte
	var err error
	if flags.NArg() == 1 {
		name = flags.Arg(0)
		input, err = os.ReadFile(name)
	} else {
		input, err = io.ReadAll(stdin)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	list, err := parseAdvisories(input, name)
	if err != nil {
		return err
	}
	return write(*cacheDir, list, time.Now().UTC())
}

func main() {
	if err := run(os.Args[1:], os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "trivy-test-db: %v\n", err)
		os.Exit(1)
	}
}

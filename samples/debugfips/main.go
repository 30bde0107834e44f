// debugfips: tlshash with FIPS 140-3 mode turned on by a //go:debug directive instead of
// GOFIPS140. Built with GOFIPS140=off, it runs the in-tree (unvalidated) module in FIPS mode:
// DefaultGODEBUG carries fips140=on but no GOFIPS140 setting and no snapshot package names.

//go:debug fips140=on
package main

import (
	"crypto/fips140"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"os"
)

func main() {
	fmt.Println("fips140 enabled:", fips140.Enabled())
	if len(os.Args) == 3 && os.Args[1] == "dial" {
		conn, err := tls.Dial("tcp", os.Args[2], &tls.Config{MinVersion: tls.VersionTLS12})
		if err != nil {
			fmt.Fprintln(os.Stderr, "dial:", err)
			os.Exit(1)
		}
		fmt.Println("negotiated", tls.CipherSuiteName(conn.ConnectionState().CipherSuite))
		conn.Close()
		return
	}
	for _, arg := range os.Args[1:] {
		sum := sha256.Sum256([]byte(arg))
		fmt.Println(hex.EncodeToString(sum[:]), arg)
	}
	fmt.Println(len(tls.CipherSuites()), "TLS cipher suites available")
}

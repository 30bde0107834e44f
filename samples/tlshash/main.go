// tlshash: the "ordinary service" sample. It hashes its arguments with SHA-256 and can open a TLS
// connection, so crypto/tls, crypto/x509, crypto/ecdsa, crypto/rsa and crypto/aes are linked the
// way a real service links them. Run without arguments it touches no network.
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"os"
)

func main() {
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

// xcrypto-user: main hashes with MD4 and BLAKE2b from golang.org/x/crypto (here our own
// stand-in, see go.mod), non-approved algorithms outside the standard library.
package main

import (
	"encoding/hex"
	"fmt"
	"os"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/md4"
)

func main() {
	input := []byte("")
	if len(os.Args) > 1 {
		input = []byte(os.Args[1])
	}
	md4Hash := md4.New()
	md4Hash.Write(input)
	fmt.Println("md4    ", hex.EncodeToString(md4Hash.Sum(nil)))
	blakeSum := blake2b.Sum256(input)
	fmt.Println("blake2b", hex.EncodeToString(blakeSum[:]))
}

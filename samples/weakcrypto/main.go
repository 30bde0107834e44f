// weakcrypto: main calls non-approved algorithms directly (MD5, RC4, DES and 3DES), the calls
// a FIPS gate must find and attribute to main.
package main

import (
	"crypto/des"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
)

func main() {
	input := []byte("fipsgate")
	if len(os.Args) > 1 {
		input = []byte(os.Args[1])
	}

	md5Sum := md5.Sum(input)
	fmt.Println("md5   ", hex.EncodeToString(md5Sum[:]))

	shaSum := sha256.Sum256(input)
	fmt.Println("sha256", hex.EncodeToString(shaSum[:]))

	stream, err := rc4.NewCipher(shaSum[:16])
	if err != nil {
		panic(err)
	}
	rc4Out := make([]byte, len(input))
	stream.XORKeyStream(rc4Out, input)
	fmt.Println("rc4   ", hex.EncodeToString(rc4Out))

	block, err := des.NewCipher(shaSum[:8])
	if err != nil {
		panic(err)
	}
	desOut := make([]byte, des.BlockSize)
	block.Encrypt(desOut, shaSum[8:16])
	fmt.Println("des   ", hex.EncodeToString(desOut))

	tripleBlock, err := des.NewTripleDESCipher(shaSum[:24])
	if err != nil {
		panic(err)
	}
	tripleBlock.Encrypt(desOut, shaSum[24:32])
	fmt.Println("3des  ", hex.EncodeToString(desOut))
}

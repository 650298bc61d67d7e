// Command icongen draws Palisade's application icon (assets/icon.png): a
// shield holding a row of palisade stakes on a blue rounded square. Run it
// with `go run ./scripts/icongen` from the module root after changing the
// drawing; the PNG is committed.
//
// This package must not import any other package of the module, nor anything
// outside the standard library.
package main

// Package lessons holds Palisade's built-in security training content in
// English and French: one file per module (the format is described in
// package training), the just-in-time prompts (prompts.txt) and the welcome
// text (welcome.md), embedded in the binary.
//
// This package only reads its embedded files: it must not import Fyne, the
// ui, session or mellium packages, and does no other I/O.
package lessons

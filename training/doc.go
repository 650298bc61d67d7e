// Package training holds Palisade's in-app security training: the lesson and
// quiz format, grading, which features stay gated until the required modules
// are done, the just-in-time prompts, and the signed completion reports sent
// to IT.
//
// # Module format
//
// A module is a UTF-8 text file: a header of "key: value" lines, a line of
// three dashes, the lesson in Markdown, then the quiz. A question starts with
// "? "; each choice follows on its own line, "- " for a wrong one and "+ "
// for a right one; every choice carries its explanation on the next line,
// starting with "> ". Header keys: id, version, lang, title, minutes, gates
// (comma-separated features the module unlocks when the profile requires it)
// and pass (correct answers needed; default: all of them). Parse names the
// line of the first mistake.
//
// # Decisions
//
// Grade marks a set of answers and explains every one. Gate decides whether a
// feature (external-chat, files, external-files) may be used given the
// modules the profile requires and the user's completions; its Reason names
// the module to complete ("Complete 'Files and data leaks' to send files to
// partners."). The session layer enforces Gate; the GUI shows it.
//
// # Reports
//
// A completion report is a small JSON document signed with the device key
// (Ed25519); IT verifies the signature with the device certificate that
// accompanies it.
//
// This package does no I/O and takes no clock: it must not import os, net,
// syscall, io/fs, Fyne, mellium, the session or the ui packages. The built-in
// modules live in assets/lessons.
package training

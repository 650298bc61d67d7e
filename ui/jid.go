package ui

import (
	"fyne.io/fyne/v2/lang"
	"net"
	"os"
	"strconv"
	"strings"
)

// bareJID strips the resource from a JID: "bob@acme.test/pc" -> "bob@acme.test".
func bareJID(jid string) string {
	if i := strings.IndexByte(jid, '/'); i >= 0 {
		return jid[:i]
	}
	return jid
}

// localPart is the part of a JID before the '@', or the whole bare JID when
// there is none.
func localPart(jid string) string {
	b := bareJID(jid)
	if i := strings.IndexByte(b, '@'); i > 0 {
		return b[:i]
	}
	return b
}

// signInErrors holds one inline error per field of the sign-in form; an
// empty string means the field is fine.
type signInErrors struct {
	JID, Password, Server, CAFile string
}

func (e signInErrors) ok() bool {
	return e.JID == "" && e.Password == "" && e.Server == "" && e.CAFile == ""
}

// validateJID checks that s looks like user@domain and says what is wrong
// when it does not.
func validateJID(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return lang.L("Enter your address, for example alice@example.com")
	case strings.ContainsAny(s, " \t\r\n"):
		return lang.L("The address cannot contain spaces")
	case strings.Contains(s, "/"):
		return lang.L("Enter the address without a resource: user@domain")
	}
	at := strings.IndexByte(s, '@')
	switch {
	case at < 0:
		return lang.L("The address must look like user@domain")
	case at == 0:
		return lang.L("The part before @ is missing: user@domain")
	case at == len(s)-1:
		return lang.L("The domain after @ is missing: user@domain")
	case strings.Count(s, "@") > 1:
		return lang.L("The address can contain only one @")
	}
	domain := s[at+1:]
	if strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return lang.L("The domain {{.Domain}} is not valid", tv{"Domain": strconv.Quote(domain)})
	}
	return ""
}

// validateServer checks an optional host:port override.
func validateServer(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return lang.L("Enter the server as host:port, for example xmpp.example.com:5222")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return lang.L("Port {{.Port}} must be a number from 1 to 65535", tv{"Port": strconv.Quote(port)})
	}
	return ""
}

// validateCAFile checks an optional CA file path.
func validateCAFile(path string) string {
	path = strings.TrimSpace(path)
	if path == "" {
		return ""
	}
	st, err := os.Stat(path)
	switch {
	case err != nil && os.IsNotExist(err):
		return lang.L("No such file: {{.Path}}", tv{"Path": path})
	case err != nil:
		return lang.L("Cannot read {{.Path}}: {{.Err}}", tv{"Path": path, "Err": err.Error()})
	case st.IsDir():
		return lang.L("{{.Path}} is a folder; choose a PEM file", tv{"Path": path})
	}
	return ""
}

// validateSignIn checks the whole form. passwordOptional is true when the
// password is available elsewhere (keyring or file descriptor).
func validateSignIn(s SignIn, passwordOptional bool) signInErrors {
	e := signInErrors{
		JID:    validateJID(s.JID),
		Server: validateServer(s.Server),
		CAFile: validateCAFile(s.CAFile),
	}
	if s.Password == "" && !passwordOptional {
		e.Password = lang.L("Enter your password")
	}
	return e
}

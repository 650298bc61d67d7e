package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// commands maps each wire name to a constructor, for ParseCommand.
var commands = map[string]func() Command{}

func register(f func() Command) { commands[f().CommandName()] = f }

func init() {
	register(func() Command { return &Send{} })
	register(func() Command { return &GetRoster{} })
	register(func() Command { return &SetPresence{} })
	register(func() Command { return &SendChatState{} })
	register(func() Command { return &AddContact{} })
	register(func() Command { return &RemoveContact{} })
	register(func() Command { return &Approve{} })
	register(func() Command { return &Decline{} })
	register(func() Command { return &Reconnect{} })
	register(func() Command { return &Quit{} })
	register(func() Command { return &SendFile{} })
	register(func() Command { return &ImportProfile{} })
	register(func() Command { return &GetProfile{} })
	register(func() Command { return &GetBulletins{} })
	register(func() Command { return &DismissBulletin{} })
	register(func() Command { return &Accept{} })
	register(func() Command { return &Block{} })
	register(func() Command { return &Unblock{} })
	register(func() Command { return &WarningShown{} })
	register(func() Command { return &CancelFile{} })
	register(func() Command { return &DownloadFile{} })
	register(func() Command { return &RetryScan{} })
}

// CommandNames lists the commands ParseCommand understands, sorted.
func CommandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseCommand decodes one headless command line: a JSON object whose string
// field "cmd" names the command. The returned value is the command struct
// (not a pointer). Errors are written for the person who typed the line.
func ParseCommand(line []byte) (Command, error) {
	line = bytes.TrimSpace(line)
	var head struct {
		Cmd *string `json:"cmd"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if head.Cmd == nil {
		return nil, fmt.Errorf(`missing string field "cmd" (one of: %s)`, strings.Join(CommandNames(), ", "))
	}
	mk, ok := commands[*head.Cmd]
	if !ok {
		return nil, fmt.Errorf("unknown command %q (one of: %s)", *head.Cmd, strings.Join(CommandNames(), ", "))
	}
	c := mk()
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("command %q: %v", *head.Cmd, err)
	}
	// Return the value, not the pointer, so consumers switch on value types.
	if v, ok := reflect.ValueOf(c).Elem().Interface().(Command); ok {
		return v, nil
	}
	return nil, fmt.Errorf("command %q: internal error: unhandled type %T", *head.Cmd, c)
}

// Marshal encodes an event as one JSON object with the string field "event"
// first, followed by the event's own fields. No newline is appended.
func Marshal(e Event) ([]byte, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	name, _ := json.Marshal(e.EventName())
	var b bytes.Buffer
	b.WriteString(`{"event":`)
	b.Write(name)
	if len(body) > 2 { // not "{}"
		b.WriteByte(',')
		b.Write(body[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes(), nil
}

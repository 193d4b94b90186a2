package sandbox

import (
	"errors"
	"fmt"
	"net/http"
)

// ChangeError is a change an emulator refuses, with the admin API status
// it answers: 400 for a change that is malformed or not allowed in the
// record's state, 404 for a record, tenant or endpoint that does not exist.
type ChangeError struct {
	Status int
	Msg    string
}

func (e *ChangeError) Error() string { return e.Msg }

// Refuse returns the 400 ChangeError for a change that cannot be made.
func Refuse(format string, args ...any) error {
	return &ChangeError{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, args...)}
}

// Missing returns the 404 ChangeError for something that does not exist.
func Missing(format string, args ...any) error {
	return &ChangeError{Status: http.StatusNotFound, Msg: fmt.Sprintf(format, args...)}
}

// AdminStatus is the admin API status of an error: a ChangeError's own,
// else 500 (a sandbox bug).
func AdminStatus(err error) int {
	var ce *ChangeError
	if errors.As(err, &ce) {
		return ce.Status
	}
	return http.StatusInternalServerError
}

// WriteAdminError answers err as {"error":"..."} with its AdminStatus.
func WriteAdminError(w http.ResponseWriter, err error) {
	WriteError(w, AdminStatus(err), err.Error())
}

// ChangeBatch picks the changes a POST .../changes body asks for: its
// "changes" list, or else the one change the body itself is. single says
// whether the body sets any field of a single change beside a list, op
// whether it names an operation (without one there is no single change);
// want shows a single change in the message for a body with neither, as
// {"op":…,"endpoint":…,"id":…}.
func ChangeBatch[T any](one T, list []T, single, op bool, want string) ([]T, error) {
	switch {
	case len(list) > 0 && single:
		return nil, errors.New(`send one change or {"changes":[…]}, not both`)
	case len(list) > 0:
		return list, nil
	case !op:
		return nil, errors.New("no change: want " + want + ` or {"changes":[…]}`)
	}
	return []T{one}, nil
}

// WriteChanges answers a changes route. On err it answers the error with
// its AdminStatus and the changes applied before it as "applied"; else 200
// with the changes as "changes" and whatever more the emulator tells of
// them. Either list is [] rather than null when empty.
func WriteChanges[C any](w http.ResponseWriter, applied []C, err error, more map[string]any) {
	if applied == nil {
		applied = []C{}
	}
	if err != nil {
		WriteJSON(w, AdminStatus(err), map[string]any{"error": err.Error(), "applied": applied})
		return
	}
	body := map[string]any{"changes": applied}
	for k, v := range more {
		body[k] = v
	}
	WriteJSON(w, http.StatusOK, body)
}

package web

import (
	"net/http"
)

// helpTopic is one help page; its text lives in templates/help.html under
// the block named "help-<Slug>".
type helpTopic struct {
	Slug, Title string
}

func helpTopics() []helpTopic {
	return []helpTopic{
		{"setup", "Getting started"},
		{"syncs", "Syncs and the sync page"},
		{"modes", "Standard sync and re-pull all data"},
		{"incremental", "Incremental pulls"},
		{"notes", "What each note means"},
		{"safety", "Where your data goes"},
	}
}

type helpData struct {
	Topics  []helpTopic
	Current helpTopic
}

func (s *Server) help(w http.ResponseWriter, r *http.Request) {
	topics := helpTopics()
	slug := r.PathValue("topic")
	if slug == "" {
		slug = topics[0].Slug
	}
	for _, t := range topics {
		if t.Slug == slug {
			s.render(w, r, http.StatusOK, "help", page{Title: "Help · " + t.Title, Nav: "help",
				Data: helpData{Topics: topics, Current: t}})
			return
		}
	}
	s.fail(w, r, http.StatusNotFound, "There is no help page called “"+slug+"”.", "Pick a topic from the help index.")
}

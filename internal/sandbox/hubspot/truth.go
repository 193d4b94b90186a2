package hubspot

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/datapull/datapull/internal/sandbox"
)

// truthSrc writes one endpoint's ground truth, one JSON document per line,
// under the portal's read lock.
type truthSrc func(p *Portal, w *bufio.Writer) error

// TruthEndpoints lists the names Truth takes for a portal, in a fixed order.
func (s *Server) TruthEndpoints(portalID int64) []string {
	p := s.world.Portal(portalID)
	if p == nil {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	for _, t := range p.Types {
		out = append(out, t.Name)
	}
	out = append(out, "owners", "pipelines/deals", "pipelines/tickets", "schemas", "account")
	for _, t := range p.Types {
		out = append(out, "properties/"+t.Name)
	}
	for _, t := range p.Types {
		for _, pair := range p.Assoc.pairsFrom(t) {
			out = append(out, "associations/"+t.Name+"/"+pair.to.Name)
		}
	}
	for _, t := range p.Types {
		out = append(out, "history/"+t.Name)
	}
	return out
}

// Truth writes, as NDJSON, everything a portal holds for an endpoint (see
// doc.go for the names): the ground truth a pull is compared with.
func (s *Server) Truth(portalID, endpoint string, w io.Writer) error {
	id, err := strconv.ParseInt(portalID, 10, 64)
	p := s.world.Portal(id)
	if err != nil || p == nil {
		return fmt.Errorf("hubspot sandbox: truth: %w", sandbox.Missing("unknown portal %q", portalID))
	}
	src, err := s.truthSource(p, endpoint)
	if err != nil {
		return fmt.Errorf("hubspot sandbox: truth: %w", err)
	}
	return s.writeTruth(p, src, w)
}

func (s *Server) writeTruth(p *Portal, src truthSrc, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	p.mu.RLock()
	err := src(p, bw)
	p.mu.RUnlock()
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("hubspot sandbox: truth: %w", err)
	}
	return nil
}

func (s *Server) truthSource(p *Portal, endpoint string) (truthSrc, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	parts := strings.Split(strings.Trim(endpoint, "/"), "/")
	typeOf := func(name string) (*ObjectType, error) {
		if t := p.Type(name); t != nil {
			return t, nil
		}
		return nil, sandbox.Missing("unknown object type %q in truth endpoint %q", name, endpoint)
	}
	switch {
	case len(parts) == 1 && parts[0] == "owners":
		return lines(func(p *Portal, emit func(any) error) error {
			for _, o := range p.Owners {
				if err := emit(ownerView(o)); err != nil {
					return err
				}
			}
			return nil
		}), nil
	case len(parts) == 1 && parts[0] == "schemas":
		return lines(func(p *Portal, emit func(any) error) error {
			for _, t := range p.Types {
				if t.Custom {
					if err := emit(schemaView(p, t)); err != nil {
						return err
					}
				}
			}
			return nil
		}), nil
	case len(parts) == 1 && parts[0] == "account":
		return func(p *Portal, w *bufio.Writer) error {
			_, body, _ := s.accountDetails(&call{portal: p, now: s.nowMs()})
			w.Write(body)
			return w.WriteByte('\n')
		}, nil
	case len(parts) == 1:
		t, err := typeOf(parts[0])
		if err != nil {
			return nil, err
		}
		return recordTruth(t), nil
	case len(parts) == 2 && parts[0] == "pipelines":
		t, err := typeOf(parts[1])
		if err != nil {
			return nil, err
		}
		return lines(func(p *Portal, emit func(any) error) error {
			for _, pl := range p.Pipelines[t.Name] {
				if err := emit(pipelineView(pl)); err != nil {
					return err
				}
			}
			return nil
		}), nil
	case len(parts) == 2 && parts[0] == "properties":
		t, err := typeOf(parts[1])
		if err != nil {
			return nil, err
		}
		return lines(func(_ *Portal, emit func(any) error) error {
			for _, pr := range t.Props {
				if err := emit(propertyView(pr)); err != nil {
					return err
				}
			}
			return nil
		}), nil
	case len(parts) == 2 && parts[0] == "history":
		t, err := typeOf(parts[1])
		if err != nil {
			return nil, err
		}
		return historyTruth(t), nil
	case len(parts) == 3 && parts[0] == "associations":
		from, err := typeOf(parts[1])
		if err != nil {
			return nil, err
		}
		to, err := typeOf(parts[2])
		if err != nil {
			return nil, err
		}
		pair := p.Assoc.pair(from, to)
		if pair == nil {
			return nil, sandbox.Missing("%s and %s have no associations", from.Name, to.Name)
		}
		return assocTruth(pair), nil
	}
	return nil, sandbox.Missing("unknown truth endpoint %q (GET /_sandbox/ lists them)", endpoint)
}

func lines(each func(p *Portal, emit func(any) error) error) truthSrc {
	return func(p *Portal, w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		return each(p, func(v any) error { return enc.Encode(v) })
	}
}

// recordTruth writes every record of a type, archived ones too, in id
// order, with every property that has a value, as the API shapes records.
func recordTruth(t *ObjectType) truthSrc {
	return func(p *Portal, w *bufio.Writer) error {
		vw := &view{t: t}
		var b []byte
		for _, r := range t.Records {
			vw.props = vw.props[:0]
			vw.props = append(vw.props, t.Prop("hs_object_id"), t.Prop(t.CreateProp), t.Prop(t.ModProp))
			for _, pv := range r.Live.Props {
				vw.props = append(vw.props, int(pv.K))
			}
			sort.Slice(vw.props, func(i, j int) bool { return t.Props[vw.props[i]].Name < t.Props[vw.props[j]].Name })
			b = vw.appendRecord(b[:0], p, r, r.Live)
			b = append(b, '\n')
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
}

// historyTruth writes, per record and property with recorded history,
// {"id","property","history":[newest first]}.
func historyTruth(t *ObjectType) truthSrc {
	return lines(func(_ *Portal, emit func(any) error) error {
		type item struct {
			Value      string `json:"value"`
			Timestamp  string `json:"timestamp"`
			SourceType string `json:"sourceType"`
		}
		for _, r := range t.Records {
			byProp := map[uint16][]item{}
			var order []uint16
			for j := len(r.Hist) - 1; j >= 0; j-- {
				h := r.Hist[j]
				if _, ok := byProp[h.K]; !ok {
					order = append(order, h.K)
				}
				byProp[h.K] = append(byProp[h.K], item{h.V, isoMillis(h.At), h.Source})
			}
			sort.Slice(order, func(i, j int) bool { return t.Props[order[i]].Name < t.Props[order[j]].Name })
			for _, k := range order {
				if err := emit(map[string]any{"id": strconv.FormatInt(r.ID, 10), "property": t.Props[k].Name, "history": byProp[k]}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// assocTruth writes every association of a pair, by from id then to id.
func assocTruth(pair *assocPair) truthSrc {
	return func(_ *Portal, w *bufio.Writer) error {
		from := make([]int64, 0, len(pair.edges))
		for id := range pair.edges {
			from = append(from, id)
		}
		sort.Slice(from, func(i, j int) bool { return from[i] < from[j] })
		var b []byte
		for _, id := range from {
			for _, e := range pair.edges[id] {
				b = append(b[:0], `{"fromId":"`...)
				b = strconv.AppendInt(b, id, 10)
				b = append(b, `","toId":"`...)
				b = strconv.AppendInt(b, e.To, 10)
				b = append(b, `","associationTypes":[`...)
				for j, l := range pair.labelsOf(e.Labels) {
					if j > 0 {
						b = append(b, ',')
					}
					b = appendLabel(b, l)
				}
				b = append(b, "]}\n"...)
				if _, err := w.Write(b); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

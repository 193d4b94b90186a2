module github.com/datapull/datapull

go 1.26.8

require github.com/getkin/kin-openapi v0.153.0 // indirect

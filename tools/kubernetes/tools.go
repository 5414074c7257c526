//go:build tools

// Package tools names the programs this module builds, so that `go mod tidy` keeps their
// dependencies: kube-apiserver, kube-controller-manager and etcd, pinned in scripts/tools.json.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)

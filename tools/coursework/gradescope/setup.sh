#!/bin/sh
# Gradescope autograder setup (Ubuntu/Debian image): what attn needs to build, and Python 3.
# Zip this folder's two files with your attn tree (solutions included) as source/.
set -eu
apt-get update
apt-get install -y g++ meson ninja-build pkg-config libxtensor-dev libxtensor-blas-dev libxsimd-dev \
  libopenblas-dev doctest-dev libcli11-dev python3

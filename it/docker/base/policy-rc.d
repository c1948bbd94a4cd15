#!/bin/sh
# Package installs must not start services inside an image build.
exit 101

"""`cdk synth` runs this (see cdk.json)."""

from infra.app import main

main()

"""The AWS CDK app: everything Linli runs on in AWS (`make synth`, `cdk.json`)."""

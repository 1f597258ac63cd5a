// The `Brigade` library is the layered modules together, so embedders and Examples/ write `import Brigade`.
// The layers and why each boundary is where it is: docs/architecture.md.
@_exported import BrigadeBatch
@_exported import BrigadeCore
@_exported import BrigadeProviders
@_exported import BrigadeTelemetry
@_exported import BrigadeWorkspace

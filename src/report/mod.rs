//! Report writers (console, JUnit, JSON), each a consumer of `result`.

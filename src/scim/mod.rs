//! SCIM attribute paths and the filter grammar (parse + evaluate), shared by the checks
//! and the reference server.

/** Integration tests of the production deployment's shape: several server replicas on one PostgreSQL. */
package org.phrcloud.it.deployment;

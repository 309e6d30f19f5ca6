/** JDBC plumbing shared by the identity layer's stores. */
package org.phrcloud.identity.jdbc;

/** What every module that owns tables shares: the transaction rule of plain JDBC code and the schema migrations. */
package org.phrcloud.database;

/** Federation across deployments (issue 22): two deployments on one chain, their own databases and Keycloak realms. */
package org.phrcloud.it.federation;

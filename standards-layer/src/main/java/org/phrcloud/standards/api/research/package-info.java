/** {@code /api/research}: anonymized research data sets for researchers (see {@code ResearchResource}). */
package org.phrcloud.standards.api.research;

package org.phrcloud.portal.research;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import org.phrcloud.portal.api.PhrApi;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@code GET /portal/research/download/{id}/records.csv} (or {@code records.ndjson}): streams a released data set from
 * {@code /api/research/datasets/{id}/...} to the researcher's browser, as the researcher (the API audits the download).
 * Researchers only (web.xml: {@code /research/*}); 404 for anything but a data set id and one of the two files.
 */
@WebServlet("/research/download/*")
public class DataSetDownload extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Inject
    PhrApi api;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || !path.matches("/[A-Za-z0-9-]{1,64}/records\\.(csv|ndjson)")) {
            response.sendError(404);
            return;
        }
        try (Response r = api.stream("/api/research/datasets" + path)) {
            if (r.getStatus() != 200) {
                response.sendError(r.getStatus() == 409 || r.getStatus() == 404 ? r.getStatus() : 502,
                        "The data set is not available for download.");
                return;
            }
            String file = path.substring(path.lastIndexOf('/') + 1);
            response.setContentType(file.endsWith(".csv") ? "text/csv;charset=UTF-8" : "application/fhir+ndjson");
            response.setHeader("Content-Disposition", "attachment; filename=\"dataset-" + path.substring(1, path.indexOf('/', 1)) + "-" + file + "\"");
            response.setHeader("Cache-Control", "no-store");
            try (InputStream in = r.readEntity(InputStream.class)) {
                in.transferTo(response.getOutputStream());
            }
        }
    }
}

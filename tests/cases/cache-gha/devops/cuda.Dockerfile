FROM busybox:1.36 AS build
RUN echo cuda > /out

FROM build AS full

FROM busybox:1.36 AS light
COPY --from=build /out /out

FROM light AS server
CMD ["cat", "/out"]

0apiVersion: aivet/v2
kind: nonsense
